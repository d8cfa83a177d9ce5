package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.partitionkeeper.worker.PolicyActivitiesImpl;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few hundred mutations of a valid configuration file (every catalogued bad value once, then seeded random ones) ({@link PolicyMutations}) through the real
 * entry points: {@code partition-keeper validate -c FILE} in-process, and the policy activity a running
 * worker reads the file with before every pass. Each must exit 2 with an error naming the key (and the
 * value), never a stack trace; the activity must fail non-retryably as {@code InvalidPolicy} with the same
 * words. Replay one case with {@code -Dpk.fuzz.seed=SEED} (the failure prints it).
 */
class PolicyFuzzTest {
    static final long SEED = Long.getLong("pk.fuzz.seed", 20261125L);
    static final int CASES = Integer.getInteger("pk.fuzz.cases", 150);

    @TempDir
    Path dir;

    final Cli.Session cli = new Cli.Session();

    @Test
    void everyMutatedFileIsRefusedWithAnErrorNamingWhatIsWrong() throws Exception {
        Path archive = Files.createDirectories(dir.resolve("archive"));
        PolicyMutations gen = new PolicyMutations(SEED, archive.toString());
        // the base file is valid: every case below breaks it in one place
        Path good = Files.writeString(dir.resolve("base.yaml"), gen.base());
        Cli.Result ok = cli.run("validate", "-c", good.toString());
        if (ok.exitCode() != Main.OK) {
            fail("the base file must be valid:\n" + ok);
        }
        List<String> keyNames = PolicyMutations.keyNames();
        List<String> failures = new ArrayList<>();
        List<PolicyMutations.Case> cases = gen.cases(CASES);
        for (PolicyMutations.Case c : cases) {
            Path f = Files.writeString(dir.resolve("case-" + c.number() + ".yaml"), c.yaml());
            Cli.Result r = cli.run("validate", "-c", f.toString());
            String problem = check(c, r, keyNames);
            if (problem == null) {
                problem = checkActivity(c, f, r.exitCode() == Main.OK);
            }
            if (problem != null) {
                String answer = ("exit " + r.exitCode() + ": " + r.all()).replace("\n", " | ");
                failures.add(c + "\n    -> " + problem + "\n    -> "
                        + (answer.length() > 400 ? answer.substring(0, 400) + "…" : answer));
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases.size() + " cases failed (seed " + SEED
                    + ", replay with -Dpk.fuzz.seed=" + SEED + "); the first ones:\n"
                    + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        }
    }

    /** Null when the CLI's answer is right for the case. */
    static String check(PolicyMutations.Case c, Cli.Result r, List<String> keyNames) {
        String all = r.all();
        if (all.contains("\tat ") || all.contains("Exception") || all.contains("Error:")) {
            return "a stack trace or exception name reached the user";
        }
        if (r.exitCode() == Main.OK && c.mayBeValid()) {
            return null;
        }
        if (r.exitCode() != Main.BAD_INPUT) {
            return "exit " + r.exitCode() + ", expected " + Main.BAD_INPUT;
        }
        if (!r.out().isEmpty()) {
            return "a refused file printed to stdout";
        }
        if (!r.err().startsWith("error: ")) {
            return "the error does not start with 'error: '";
        }
        for (String e : c.expected()) {
            if (!r.err().contains(e)) {
                return "the error does not name \"" + e + "\"";
            }
        }
        if (c.expected().isEmpty() && keyNames.stream().noneMatch(r.err()::contains)) {
            return "the error names no key of the file and is not a YAML error";
        }
        return null;
    }

    /** The worker reads the file again before each pass: a broken file fails the pass as InvalidPolicy. */
    static String checkActivity(PolicyMutations.Case c, Path f, boolean valid) {
        PolicyActivitiesImpl acts =
                new PolicyActivitiesImpl(() -> WorkerConfig.load(f, Map.of()).tables());
        try {
            acts.load();
            return valid ? null : "the policy activity accepted a file validate refused";
        } catch (ApplicationFailure e) {
            if (valid) {
                return "the policy activity refused a file validate accepted: " + e.getOriginalMessage();
            }
            if (!Failures.INVALID_POLICY.equals(e.getType()) || !e.isNonRetryable()) {
                return "the policy activity failed as " + e.getType() + " (non-retryable " + e.isNonRetryable() + ")";
            }
            for (String x : c.expected()) {
                if (!e.getOriginalMessage().contains(x)) {
                    return "the policy activity's failure does not name \"" + x + "\": " + e.getOriginalMessage();
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "the policy activity threw " + e + " instead of an InvalidPolicy failure";
        }
    }
}
