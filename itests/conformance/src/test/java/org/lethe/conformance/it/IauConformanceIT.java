package org.lethe.conformance.it;

import java.util.Map;
import org.lethe.conformance.MethodConformance;
import org.lethe.conformance.Subject;

/** The shipped {@code iau} method (bundle org.lethe.method.iau) passes the kit. */
public class IauConformanceIT extends MethodConformance {

    @Override
    protected Subject subject() {
        return Subject.method("iau")
                .shortRun(Map.of("steps", "2"))
                .longRun(Map.of("steps", "100000"));
    }
}
