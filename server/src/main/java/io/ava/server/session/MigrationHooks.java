package io.ava.server.session;

import io.ava.proto.Control;

/** Where a session hands the client's migration messages (the migration package implements it). */
public interface MigrationHooks {
    void control(ServerSession session, Control control);
}
