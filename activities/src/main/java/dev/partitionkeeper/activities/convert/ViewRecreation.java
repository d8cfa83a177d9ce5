package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the swap that moves dependent views and the table's own triggers to the table that takes the name. A
 * view follows the table it was created on through a rename, so each one's definition is read before the renames,
 * with every name schema-qualified, and replayed after them: {@code CREATE OR REPLACE VIEW} keeps the view's oid,
 * owner, grants and the views built on it, and the options (security_barrier, check_option) are written back. A
 * trigger is created again from its definition and given back its enabled state.
 */
final class ViewRecreation {

    /** A view as it was before the swap. */
    private record SavedView(String qualifiedName, String definition, String options) {}

    /** A trigger as it was before the swap; {@code enabled} is pg_trigger.tgenabled. */
    private record SavedTrigger(String quotedName, String definition, String enabled) {}

    private final List<SavedView> views;
    private final List<SavedTrigger> triggers;

    private ViewRecreation(List<SavedView> views, List<SavedTrigger> triggers) {
        this.views = views;
        this.triggers = triggers;
    }

    /**
     * Reads the definitions before any rename.
     *
     * @param views as {@link ConvertCatalog#dependentViews}: [oid, schema, name]
     * @param triggers as {@link ConvertCatalog#userTriggers}: [oid, name, tgenabled]
     */
    static ViewRecreation read(Connection tx, List<String[]> views, List<String[]> triggers) throws SQLException {
        List<SavedView> savedViews = new ArrayList<>();
        List<SavedTrigger> savedTriggers = new ArrayList<>();
        if (views.isEmpty() && triggers.isEmpty()) {
            return new ViewRecreation(savedViews, savedTriggers);
        }
        String saved = ConvertCatalog.rows(tx, "SELECT current_setting('search_path')", null)
                .get(0)[0];
        // with only pg_catalog on the path, pg_get_viewdef and pg_get_triggerdef qualify every name
        Sql.exec(tx, "SET LOCAL search_path = pg_catalog, pg_temp");
        for (String[] v : views) {
            for (String[] d : ConvertCatalog.rows(
                    tx,
                    "SELECT pg_get_viewdef(c.oid), array_to_string(c.reloptions, ', ')"
                            + " FROM pg_class c WHERE c.oid = ?",
                    Long.parseLong(v[0]))) {
                savedViews.add(new SavedView(new TableName(v[1], v[2]).quoted(), d[0], d[1]));
            }
        }
        for (String[] g : triggers) {
            for (String[] d : ConvertCatalog.rows(tx, "SELECT pg_get_triggerdef(?::oid)", Long.parseLong(g[0]))) {
                savedTriggers.add(new SavedTrigger(TableName.quoteIdent(g[1]), d[0], g[2]));
            }
        }
        try (PreparedStatement ps = tx.prepareStatement("SELECT set_config('search_path', ?, true)")) {
            ps.setString(1, saved);
            ps.executeQuery().close();
        }
        return new ViewRecreation(savedViews, savedTriggers);
    }

    /**
     * Re-creates the views and the triggers on the table that now has the name {@code t}.
     *
     * @return what was repointed, as {@code view "s"."v"} and {@code trigger "name"}
     */
    List<String> recreate(Connection tx, TableName t) throws SQLException {
        List<String> out = new ArrayList<>();
        for (SavedView v : views) {
            String with = v.options() == null || v.options().isEmpty() ? "" : " WITH (" + v.options() + ")";
            Sql.exec(tx, "CREATE OR REPLACE VIEW " + v.qualifiedName() + with + " AS " + v.definition());
            out.add("view " + v.qualifiedName());
        }
        for (SavedTrigger g : triggers) {
            Sql.exec(tx, g.definition());
            String state = switch (g.enabled()) {
                case "D" -> "DISABLE TRIGGER ";
                case "R" -> "ENABLE REPLICA TRIGGER ";
                case "A" -> "ENABLE ALWAYS TRIGGER ";
                default -> null;
            };
            if (state != null) {
                Sql.exec(tx, "ALTER TABLE " + t.quoted() + " " + state + g.quotedName());
            }
            out.add("trigger " + g.quotedName());
        }
        return out;
    }
}
