package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AsciiTableTest {

    @Test
    void columnsAreAsWideAsTheirWidestCell() {
        String text = new AsciiTable(List.of("partition", "rows"), "No partitions")
                .row("events_p2026_03", 12)
                .row("p", 1_000_000)
                .render();
        assertEquals("""
        +-----------------+---------+
        | partition       | rows    |
        +-----------------+---------+
        | events_p2026_03 | 12      |
        | p               | 1000000 |
        +-----------------+---------+
        """, text);
    }

    @Test
    void headerWiderThanEveryCell() {
        assertEquals(
                """
        +-------------+
        | long header |
        +-------------+
        | x           |
        +-------------+
        """, new AsciiTable(List.of("long header"), "none").row("x").render());
    }

    @Test
    void emptyTableShowsTheMessageAcrossAllColumns() {
        assertEquals("""
        +---+--------+------+
        | # | action | from |
        +---+--------+------+
        | Nothing to do     |
        +---+--------+------+
        """, new AsciiTable(List.of("#", "action", "from"), "Nothing to do").render());
    }

    @Test
    void emptyMessageWiderThanTheColumnsWidensTheLastColumn() {
        assertEquals("""
        +---+-----------+
        | a | b         |
        +---+-----------+
        | No partitions |
        +---+-----------+
        """, new AsciiTable(List.of("a", "b"), "No partitions").render());
    }

    @Test
    void nullCellsAreBlankAndMissingCellsArePadded() {
        assertEquals(
                """
        +---+-----+
        | a | b   |
        +---+-----+
        |   | xyz |
        | 1 |     |
        +---+-----+
        """,
                new AsciiTable(List.of("a", "b"), "none")
                        .row(null, "xyz")
                        .row(1)
                        .render());
    }

    @Test
    void unicodeCellsCountCharacters() {
        assertEquals("""
        +-------+
        | name  |
        +-------+
        | Größe |
        +-------+
        """, new AsciiTable(List.of("name"), "none").row("Größe").render());
    }
}
