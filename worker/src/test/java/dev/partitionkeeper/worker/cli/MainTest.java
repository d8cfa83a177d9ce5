package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class MainTest {

    static Stream<String> commands() {
        return new CommandLine(new Main()).getSubcommands().keySet().stream();
    }

    /** The README's command table and the CLI agree: every command is documented, every documented one exists. */
    @Test
    void everyDocumentedCommandExists() throws Exception {
        Path readme = Path.of("..", "README.md");
        Set<String> documented = new TreeSet<>();
        var m = Pattern.compile("^\\| `partition-keeper ([a-z-]+)", Pattern.MULTILINE)
                .matcher(Files.readString(readme));
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> actual =
                new TreeSet<>(commands().filter(c -> !c.equals("help")).toList());
        assertEquals(actual, documented, "README.md command table vs the CLI");
    }

    @ParameterizedTest(name = "{0} --help")
    @MethodSource("commands")
    void helpForEveryCommandExitsZero(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Usage: partition-keeper " + command + " "), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    /** The shared options (JsonOption, TableOption) keep the description each command gives them (OptionTexts). */
    @ParameterizedTest(name = "{0} --help: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "plan|--json Print the plans as JSON.",
                "once|--json Print the report as JSON.",
                "status|--json Print the status as JSON.",
                "history|--json Print the passes as JSON.",
                "restore|--json Print the result as JSON.",
                "maintain|--table=TABLE Only this table (repeatable; default: all).",
                "plan|--table=TABLE Only this table (repeatable).",
                "once|--dry-run Plan and check only."
            })
    void sharedOptionsKeepTheirCommandsDescription(String command, String optionAndDescription) {
        Cli.Result r = Cli.run(command, "--help");
        assertTrue(r.out().replaceAll("\\s+", " ").contains(optionAndDescription), r::toString);
    }

    @Test
    void topLevelHelpListsTheCommands() {
        Cli.Result r = Cli.run("--help");
        assertEquals(Main.OK, r.exitCode(), r::toString);
        for (String c : List.of("dev", "worker", "once", "plan", "validate")) {
            assertTrue(r.out().contains("\n  " + c + " "), () -> c + "\n" + r);
        }
    }

    @Test
    void helpCommandShowsASubcommandsUsage() {
        Cli.Result r = Cli.run("help", "plan");
        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("Usage: partition-keeper plan"), r::toString);
        assertTrue(r.out().contains("--config=FILE"), r::toString);
    }

    @Test
    void version() {
        Cli.Result r = Cli.run("--version");
        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertEquals("partition-keeper 0.1.0", r.out().strip());
    }

    @Test
    void unknownCommandOrOptionIsBadUsage() {
        Cli.Result cmd = Cli.run("maintian");
        assertEquals(Main.BAD_INPUT, cmd.exitCode(), cmd::toString);
        assertTrue(cmd.err().contains("maintian"), cmd::toString);

        Cli.Result opt = Cli.run("plan", "--jsno");
        assertEquals(Main.BAD_INPUT, opt.exitCode(), opt::toString);
        assertTrue(opt.err().contains("Unknown option: '--jsno'"), opt::toString);
    }

    @Test
    void noCommandPrintsUsageAndIsBadUsage() {
        Cli.Result r = Cli.run();
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("Missing required subcommand"), r::toString);
        assertTrue(r.err().contains("Usage: partition-keeper"), r::toString);
    }
}
