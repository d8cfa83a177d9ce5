package dev.partitionkeeper.worker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of docs/architecture.md ("Layering"), checked on the compiled main classes of all three
 * modules (only the worker's test classpath has them all). The bookkeeping rule has a source-level half in
 * {@link BookkeepingTableNamesTest}: a table name written as a string leaves no trace in the bytecode.
 *
 * <p>Plain JUnit tests calling {@code rule.check}: ArchUnit's own JUnit 5 engine ({@code @ArchTest} fields) ran
 * here under Surefire with a {@code -Dtest} filter but reported no test and let a violation pass.
 */
class LayeringRulesTest {
    static final String WORKFLOWS = "dev.partitionkeeper.workflows..";
    static final String BOOKKEEPING = "dev.partitionkeeper.activities.postgres.bookkeeping";
    private static final Set<String> SYSTEM_CLOCK_METHODS = Set.of("currentTimeMillis", "nanoTime");

    private static JavaClasses main;

    /** Tests may do what main code must not; the activities test-jar is on this classpath as a jar. */
    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption((Location l) -> !l.contains("/test-classes/") && !l.contains("-tests.jar"))
                .importPackages("dev.partitionkeeper");
    }

    /** Replays must make the same decisions: no I/O of any kind in workflow code. */
    static final ArchRule workflowsDoNoIo = noClasses()
            .that()
            .resideInAPackage(WORKFLOWS)
            .should()
            .dependOnClassesThat(ioClasses())
            .because("workflow code is replayed and only sequences activities (docs/architecture.md, Layering)");

    /** Workflow.currentTimeMillis() is the clock; every other one differs on replay. */
    static final ArchRule workflowsReadNoSystemClock = noClasses()
            .that()
            .resideInAPackage(WORKFLOWS)
            .should()
            .callMethodWhere(systemClockOrSleep())
            .orShould()
            .dependOnClassesThat()
            .belongToAnyOf(Clock.class)
            .because("a replay must see the time the first run saw: use Workflow.currentTimeMillis()");

    static final ArchRule workflowsUseNoRandomness = noClasses()
            .that()
            .resideInAPackage(WORKFLOWS)
            .should()
            .dependOnClassesThat()
            .belongToAnyOf(Random.class, ThreadLocalRandom.class, SecureRandom.class)
            .orShould()
            .callMethod(UUID.class, "randomUUID")
            .orShould()
            .callMethod(Math.class, "random")
            .because("a replay must make the same choices: use Workflow.newRandom() or Workflow.randomUUID()");

    static final ArchRule activitiesKnowNothingOfTheWorker = noClasses()
            .that()
            .resideInAPackage("dev.partitionkeeper.activities..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.partitionkeeper.worker..")
            .because("the worker wires activities; activities are used by the worker, never the other way round");

    static final ArchRule onlyBookkeepingNamesItsTables = noClasses()
            .that()
            .resideOutsideOfPackage(BOOKKEEPING)
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName(BOOKKEEPING + ".BookkeepingTable")
            .because("the bookkeeping tables are read through BookkeepingReader and written through Bookkeeping");

    @Test
    void theRulesSeeAllThreeModules() {
        for (String c : new String[] {
            "dev.partitionkeeper.workflows.MaintenanceWorkflowImpl",
            "dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping",
            "dev.partitionkeeper.worker.WorkerRuntime"
        }) {
            assertTrue(main.contain(c), c + " was not imported: every rule would pass on nothing");
        }
        assertFalse(main.contain(LayeringRulesTest.class.getName()), "test classes were imported");
    }

    @Test
    void workflowCodeDoesNoIo() {
        workflowsDoNoIo.check(main);
    }

    @Test
    void workflowCodeReadsNoSystemClock() {
        workflowsReadNoSystemClock.check(main);
    }

    @Test
    void workflowCodeUsesNoRandomness() {
        workflowsUseNoRandomness.check(main);
    }

    @Test
    void activitiesDoNotDependOnTheWorker() {
        activitiesKnowNothingOfTheWorker.check(main);
    }

    @Test
    void onlyTheBookkeepingPackageUsesTheBookkeepingTables() {
        onlyBookkeepingNamesItsTables.check(main);
    }

    /** java.io streams, readers and files, java.nio.file, java.net and JDBC; not IOException or Serializable. */
    private static DescribedPredicate<JavaClass> ioClasses() {
        return DescribedPredicate.describe("do I/O (java.io, java.nio.file, java.net, java.sql)", c -> {
            String p = c.getPackageName();
            if (p.equals("java.io")) {
                return !c.isAssignableTo(Throwable.class) && !c.isEquivalentTo(Serializable.class);
            }
            return p.equals("java.nio.file")
                    || p.startsWith("java.nio.file.")
                    || p.equals("java.net")
                    || p.startsWith("java.net.")
                    || p.equals("java.sql");
        });
    }

    /** System.currentTimeMillis()/nanoTime(), any java.time X.now(...), Thread.sleep(...). */
    private static DescribedPredicate<JavaMethodCall> systemClockOrSleep() {
        return DescribedPredicate.describe("read a system clock or sleep", call -> {
            String owner = call.getTargetOwner().getName();
            String name = call.getName();
            return owner.equals(System.class.getName()) && SYSTEM_CLOCK_METHODS.contains(name)
                    || call.getTargetOwner().getPackageName().equals("java.time") && name.equals("now")
                    || owner.equals(Thread.class.getName()) && name.equals("sleep");
        });
    }
}
