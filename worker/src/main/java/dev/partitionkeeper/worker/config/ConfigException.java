package dev.partitionkeeper.worker.config;

import java.util.List;

/** A configuration or policy file that cannot be used; lists every problem found, not just the first. */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    public List<String> problems() {
        return problems;
    }
}
