package dev.partitionkeeper.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tables search attribute stays under Temporal's 2 KB value limit: a pass over many tables (a fleet of 100
 * databases gave 3,001 bytes) would otherwise fail its workflow task, and with it the pass.
 */
class VisibilityTablesTest {
    @Test
    void aFewTablesAreKeptAsTheyAre() {
        List<String> few = List.of("public.transactions", "billing.\"Billing Events\"");

        assertSame(few, Visibility.tables(few));
    }

    @Test
    void manyTablesAreCutToTheFirstThatFitTheBudget() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            many.add(String.format("fleet_pk_%03d/public.\"ev\\%d\"", i, i));
        }

        List<String> kept = Visibility.tables(many);

        byte[] json = new ObjectMapper().writeValueAsString(kept).getBytes(StandardCharsets.UTF_8);
        assertTrue(json.length <= Visibility.TABLES_BUDGET_BYTES, json.length + " bytes");
        assertTrue(json.length > Visibility.TABLES_BUDGET_BYTES - 40, "as many as fit: " + json.length + " bytes");
        assertEquals(many.subList(0, kept.size()), kept, "the first ones, in order");
    }
}
