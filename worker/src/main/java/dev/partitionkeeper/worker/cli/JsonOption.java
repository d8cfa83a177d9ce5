package dev.partitionkeeper.worker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --json}: print the command's result record as JSON instead of a table, as flyway's CLI can. */
final class JsonOption {
    // descriptionKey: plan, once, status and history name what they print (OptionTexts)
    @Option(names = "--json", descriptionKey = "json", description = "Print the result as JSON.")
    boolean enabled;

    /** {@code value} as indented JSON, flushed. */
    static void print(PrintWriter out, Object value) throws JsonProcessingException {
        out.println(
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
        out.flush();
    }
}
