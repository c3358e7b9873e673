import EventModel
import EventStore
import PacerCore

extension CDEventRow {
    /// The row for a (normalised) CDEvent: the seed's columns plus the whole event as JSON.
    init(_ event: CDEvent) {
        self.init(
            id: event.context.id, source: event.context.source, type: event.context.type.description,
            timestamp: event.context.timestamp.date, subjectId: event.subject.id, subjectSource: event.subject.source,
            content: event.jsonValue.jsonString())
    }
}
