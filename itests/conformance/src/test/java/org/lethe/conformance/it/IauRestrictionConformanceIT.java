package org.lethe.conformance.it;

import java.util.Map;
import org.lethe.conformance.MethodConformance;
import org.lethe.conformance.Subject;

/**
 * The shipped {@code iau} method with its optional gradient-restriction training on passes the kit:
 * restriction steps first, then the IAU steps (wiring of the restriction settings through
 * Metatype and ConfigAdmin, progress that never goes backwards, no leaked arrays, the base
 * untouched). The restriction reports its loss at step 0 (the IAU steps after it count the run's
 * steps from 1), so the kit's cancellation check, which counts reported steps, cancels during the
 * IAU steps of the long run; cancellation during the restriction itself is covered by the bundle's
 * unit test ({@code IauRestrictionTest}).
 */
public class IauRestrictionConformanceIT extends MethodConformance {

    @Override
    protected Subject subject() {
        return Subject.method("iau")
                .shortRun(Map.of("restrictSteps", "2", "restrictBatch", "4"))
                .longRun(Map.of("restrictSteps", "2", "steps", "100000"));
    }
}
