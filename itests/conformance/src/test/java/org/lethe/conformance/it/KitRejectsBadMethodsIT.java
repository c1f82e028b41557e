package org.lethe.conformance.it;

import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.lethe.conformance.Check;
import org.lethe.conformance.Conformance;
import org.lethe.conformance.ConformanceContainer;
import org.lethe.conformance.Subject;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * The kit rejects each misbehaving fixture by exactly the check written for its fault, with a
 * message that names the fault, and passes it on every other check: a method that failed for any
 * other reason would show that the check is not specific (or the fixture not what it claims).
 *
 * <p>One container for the four methods ({@link PerClass}; libtorch loads once per JVM). Each check
 * makes its own tiny model, so one method's damage (the vandal's) cannot decide another check.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KitRejectsBadMethodsIT {

    /** Failsafe system property: the bad fixtures' bundle. */
    private static final String BAD_FIXTURE = "lethe.fixture.bad";

    /** Steps of the short runs: the leaky method leaks one array of 64 floats per step. */
    private static final int STEPS = 3;

    /**
     * Steps of the deaf method's long run: it ignores the cancel and runs them all (about 0.6 ms a
     * step here), so this is the time the test thread has to cancel it after its first step.
     */
    private static final int DEAF_STEPS = 3000;

    @Configuration
    public Option[] config() {
        return ConformanceContainer.options(KitRejectsBadMethodsIT.class, List.of(Path.of(System.getProperty(BAD_FIXTURE))));
    }

    /** An NDArray of 64 floats per step on a component-held manager: 3 arrays, 768 bytes after 3 steps. */
    @Test
    public void leakyFailsOnlyTheLeakCheck() {
        assertRejectedOnlyBy("leaky", Check.NO_LEAK, "NDArrays leak: " + STEPS + " more NDArrays ("
                + STEPS * 64 * Float.BYTES + " more bytes) are open after a run of " + STEPS + " steps");
    }

    /** Its own loop never asks whether the run was cancelled: it runs on to its last step. */
    @Test
    public void deafFailsOnlyTheCancelCheck() {
        assertRejectedOnlyBy("deaf", Check.CANCEL, "cancelled at step",
                "further steps (to step " + DEAF_STEPS + " of " + DEAF_STEPS + ";", "does not stop when cancelled");
    }

    /** It overwrites the weights of the version its run started from. */
    @Test
    public void vandalFailsOnlyTheBaseModelCheck() {
        assertRejectedOnlyBy("vandal", Check.BASE_UNCHANGED, "the run changed the base version", ":1 in place",
                "weights.safetensors changed (sha256 ");
    }

    /** It edits the weights in place and never reports a step. */
    @Test
    public void silentFailsOnlyTheProgressCheck() {
        assertRejectedOnlyBy("silent", Check.PROGRESS, "the run ended COMMITTED without reporting any progress (0 steps)");
    }

    /**
     * Runs every check on the method: the expected one must fail with a message that starts with its
     * label and contains every fragment; every other one must pass.
     */
    private void assertRejectedOnlyBy(String method, Check expected, String... fragments) {
        Subject subject = Subject.method(method).shortRun(Map.of("steps", Integer.toString(STEPS)))
                .longRun(Map.of("steps", Integer.toString(DEAF_STEPS)));
        Conformance kit = new Conformance(context(), subject);
        String prefix = "[" + expected.label() + "] method '" + method + "': ";
        List<String> problems = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        for (Check check : Check.values()) {
            try {
                kit.check(check);
                outcomes.add(check.label() + ": passed");
                if (check == expected) {
                    problems.add("the " + check.label() + " check passed; it must reject '" + method + "'");
                }
            } catch (AssertionError e) {
                String message = String.valueOf(e.getMessage());
                outcomes.add(check.label() + ": FAILED " + message);
                if (check != expected) {
                    problems.add("the " + check.label() + " check failed, but '" + method + "' breaks only the "
                            + expected.label() + " rule: " + message);
                    continue;
                }
                if (!message.startsWith(prefix)) {
                    problems.add("the " + check.label() + " check's message does not start with \"" + prefix + "\": " + message);
                }
                for (String fragment : fragments) {
                    if (!message.contains(fragment)) {
                        problems.add("the " + check.label() + " check's message lacks \"" + fragment + "\": " + message);
                    }
                }
            }
        }
        System.out.println("conformance of '" + method + "':\n  " + String.join("\n  ", outcomes));
        if (!problems.isEmpty()) {
            fail("'" + method + "':\n  " + String.join("\n  ", problems) + "\nall outcomes:\n  " + String.join("\n  ", outcomes));
        }
    }

    private BundleContext context() {
        return FrameworkUtil.getBundle(getClass()).getBundleContext();
    }
}
