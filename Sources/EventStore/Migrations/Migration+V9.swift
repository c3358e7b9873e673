extension Migration {
    /// `pipeline_route_catchups`: per transform stage (its cursor name) and Ready EventRoute, the version of the
    /// route it has seen (the route's and its transforms' uid, generation and readiness) and how far that version
    /// has been applied to the CloudEvents stored before it: events up to `upto` were routed before the route
    /// (in this version) existed, and the stage routes them through it alone, from `pos`, in the background.
    /// A route that appears, changes or becomes Ready again thus applies to every stored event (docs/pipeline.md,
    /// "Routes that arrive after their events").
    static let v9RouteCatchUps = Migration(
        version: 9, name: "route catch-ups",
        statements: [
            """
            CREATE TABLE pipeline_route_catchups (
                stage       text NOT NULL,
                namespace   text NOT NULL,
                name        text NOT NULL,
                version     text NOT NULL,
                upto_xid    xid8 NOT NULL,
                upto_id     bigint NOT NULL,
                pos_xid     xid8 NOT NULL DEFAULT '0',
                pos_id      bigint NOT NULL DEFAULT 0,
                started_at  timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz,
                PRIMARY KEY (stage, namespace, name)
            )
            """,
        ])
}
