import EventModel
import Expressions

extension CloudEvent {
    /// The expression variables of this event (EventRoute `when`, CDEventTransform fields): context
    /// attributes, extensions, and `data` when it is JSON (else `null`).
    public var activation: [String: Value] {
        Activation.cloudEvent(
            id: id, source: source, type: type, specversion: specversion, subject: subject, time: timestamp,
            datacontenttype: datacontenttype, dataschema: dataschema, extensions: extensions.mapValues(Value.init(json:)),
            data: data?.jsonValue)
    }
}
