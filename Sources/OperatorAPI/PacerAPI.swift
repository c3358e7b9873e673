import KubeCore
import PacerRules

/// The Pacer API group (`pacer.dev/v1alpha1`) and the resource descriptors of its three custom resources.
public enum PacerAPI {
    public static let group = "pacer.dev"
    public static let version = "v1alpha1"
    public static var apiVersion: String { "\(group)/\(version)" }
    /// The condition type every Pacer resource reports.
    public static let readyCondition = "Ready"
}

extension ResourceDescriptor {
    /// `eventroutes.pacer.dev`: which stored CloudEvents go to which transforms.
    public static let eventRoutes = ResourceDescriptor(
        group: PacerAPI.group, version: PacerAPI.version, plural: "eventroutes", kind: "EventRoute", namespaced: true)
    /// `cdeventtransforms.pacer.dev`: how a CloudEvent becomes a CDEvent.
    public static let cdEventTransforms = ResourceDescriptor(
        group: PacerAPI.group, version: PacerAPI.version, plural: "cdeventtransforms", kind: "CDEventTransform",
        namespaced: true)
    /// `metricdefinitions.pacer.dev`: what to calculate.
    public static let metricDefinitions = ResourceDescriptor(
        group: PacerAPI.group, version: PacerAPI.version, plural: "metricdefinitions", kind: "MetricDefinition",
        namespaced: true)
}

extension ConfigKind {
    /// The custom resource whose specs this kind's configuration records hold.
    public var resource: ResourceDescriptor {
        switch self {
        case .eventRoutes: .eventRoutes
        case .cdEventTransforms: .cdEventTransforms
        case .metricDefinitions: .metricDefinitions
        }
    }
}
