package ${package}.it;

import java.util.Map;
import org.lethe.conformance.MethodConformance;
import org.lethe.conformance.Subject;

/**
 * The conformance kit on ${method}: in a container made of the distribution's own bundle set, the
 * method activates and describes itself, is a leaf, round-trips its configuration through
 * ConfigAdmin, runs on an untrained tiny model, stops within one step of a cancel, leaves the base
 * model untouched, leaks no NDArray and reports progress.
 *
 * <p>{@code mvn verify -Dlethe.dist=<distribution folder>} runs it (failsafe passes the bundle's
 * jar as {@code lethe.bundle}).
 */
public class ${className}ConformanceIT extends MethodConformance {

    @Override
    protected Subject subject() {
        return Subject.method("${method}")
                .bundle(System.getProperty("lethe.bundle"))
                .shortRun(Map.of("steps", "3"))       // the short runs: a few steps
                .longRun(Map.of("steps", "100000"));  // the run the kit cancels after its first step
    }
}
