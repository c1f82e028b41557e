package org.lethe.conformance.it;

import java.util.Map;
import org.lethe.conformance.MethodConformance;
import org.lethe.conformance.Subject;

/** The shipped {@code flat} method (bundle org.lethe.method.flat) passes the kit. */
public class FlatConformanceIT extends MethodConformance {

    @Override
    protected Subject subject() {
        return Subject.method("flat")
                .shortRun(Map.of("steps", "3", "batchSize", "2"))
                .longRun(Map.of("steps", "100000", "batchSize", "2"));
    }
}
