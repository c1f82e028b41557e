package org.lethe.conformance.it;

import java.util.Map;
import org.lethe.conformance.MethodConformance;
import org.lethe.conformance.Subject;

/**
 * The well-behaved fixture ({@code ascent}: gradient ascent through the framework's loop) passes
 * every check of the kit; also the example of how a method's conformance test reads.
 */
public class AscentConformanceIT extends MethodConformance {

    @Override
    protected Subject subject() {
        return Subject.method("ascent")
                .bundle(System.getProperty("lethe.fixture.ascent"))
                .shortRun(Map.of("steps", "3"))
                .longRun(Map.of("steps", "100000"));
    }
}
