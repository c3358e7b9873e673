import Controllers
import EventStore

/// The reconcilers' configuration port is the configuration tables themselves: `PostgresConfigStore` has exactly
/// the port's methods.
extension PostgresConfigStore: ResourceConfigStore {}
