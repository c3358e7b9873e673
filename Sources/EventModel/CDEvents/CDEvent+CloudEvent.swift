import PacerCore

extension CDEvent {
    /// Reads the CDEvent a CloudEvent carries (CDEvents CloudEvents binding: CE `data` is the whole CDEvent as
    /// JSON, structured or binary mode alike) and validates it (`mode`, `.received` by default).
    ///
    /// The CE `type` must equal `context.type` (paths of such errors start with `cloudevent.`); CE `id`, `source`,
    /// `subject` and `time` are not compared: the CDEvent in `data` is authoritative.
    public init(cloudEvent: CloudEvent, mode: CDEventValidationMode = .received) throws(CDEventValidationError) {
        guard let data = cloudEvent.data else {
            throw CDEventValidationError(.missing, path: "cloudevent.data", "a CDEvents CloudEvent carries the whole CDEvent as JSON data")
        }
        guard let json = data.jsonValue else {
            throw CDEventValidationError(.malformed, path: "cloudevent.data", "must be JSON (the whole CDEvent), got non-JSON bytes")
        }
        try self.init(json: json)
        guard cloudEvent.type == context.type.description else {
            throw CDEventValidationError(
                .invalidValue, path: "cloudevent.type",
                "must equal the CDEvent's context.type \"\(context.type)\" (CDEvents CloudEvents binding), got \"\(cloudEvent.type)\"")
        }
        try validate(mode)
    }

    /// The event as a CloudEvent per the CDEvents binding: `id` = context.id, `source` = context.source,
    /// `type` = context.type, `subject` = subject.id, `time` = context.timestamp, `datacontenttype`
    /// application/json, `data` = the whole CDEvent; `dataschema` = the v0.5.1 schema `$id` when the event is in
    /// v0.5.1 form for a known type.
    public func cloudEvent() -> CloudEvent {
        var dataschema: String?
        if !context.isLegacy, let entry = CDEventTypeRegistry.entry(for: context.type), entry.version == context.type.version {
            dataschema = entry.schemaId
        }
        return CloudEvent(
            id: context.id, source: context.source, type: context.type.description, datacontenttype: "application/json",
            dataschema: dataschema, subject: subject.id, time: context.timestamp.text, data: .json(jsonValue))
    }
}
