package org.lethe.conformance;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * The conformance suite as a JUnit 4 Pax Exam test: extend it, say which method and bundle, and
 * every {@link Check} runs as its own test in one container (one JVM per class: failsafe
 * {@code reuseForks=false}).
 *
 * <pre>
 * public class AscentConformanceIT extends MethodConformance {
 *     &#64;Override
 *     protected Subject subject() {
 *         return Subject.method("ascent").bundle(System.getProperty("lethe.fixture.ascent"))
 *                 .shortRun(Map.of("steps", "3")).longRun(Map.of("steps", "100000"));
 *     }
 * }
 * </pre>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class MethodConformance {

    /**
     * Called on the driver side (for the bundles to install) and in the container (for the rest).
     *
     * @return the method under test
     */
    protected abstract Subject subject();

    /**
     * The container: the distribution's bundle set, the kit, and the subject's bundles. Override to
     * add options (call this and append).
     *
     * @return the Pax Exam options
     */
    @Configuration
    public Option[] config() {
        return ConformanceContainer.options(getClass(), subject().bundles());
    }

    /** @return the kit, bound to this test's bundle context in the container */
    protected Conformance conformance() {
        Bundle probe = FrameworkUtil.getBundle(getClass());
        if (probe == null || probe.getBundleContext() == null) {
            throw new IllegalStateException(getClass().getName() + " is not running inside an OSGi container");
        }
        return new Conformance(probe.getBundleContext(), subject());
    }

    /** {@link Check#ACTIVATION}. */
    @Test
    public void activatesAndDescribesItself() {
        conformance().check(Check.ACTIVATION);
    }

    /** {@link Check#LEAF}. */
    @Test
    public void isALeafBundle() {
        conformance().check(Check.LEAF);
    }

    /** {@link Check#CONFIG}. */
    @Test
    public void configurationRoundTripsThroughConfigAdmin() {
        conformance().check(Check.CONFIG);
    }

    /** {@link Check#RUN}. */
    @Test
    public void runsOnATinyModel() {
        conformance().check(Check.RUN);
    }

    /** {@link Check#CANCEL}. */
    @Test
    public void stopsWithinOneStepOfACancel() {
        conformance().check(Check.CANCEL);
    }

    /** {@link Check#BASE_UNCHANGED}. */
    @Test
    public void leavesTheBaseModelUntouched() {
        conformance().check(Check.BASE_UNCHANGED);
    }

    /** {@link Check#NO_LEAK}. */
    @Test
    public void leaksNoNDArray() {
        conformance().check(Check.NO_LEAK);
    }

    /** {@link Check#PROGRESS}. */
    @Test
    public void reportsProgress() {
        conformance().check(Check.PROGRESS);
    }
}
