package org.lethe.evaluation.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;

/**
 * The roles the answer metrics (exact match, answer probability, truth ratio, ROUGE-L) measure,
 * in report order, each with the direction that is better there: lower on what should be
 * forgotten, higher on what should be kept, neutral on the never-trained holdout.
 */
final class AnswerRoles {

    /** Role → which way is better, in {@link Roles#ALL} order. */
    static final Map<String, Direction> DIRECTIONS;

    static {
        Map<String, Direction> directions = new LinkedHashMap<>();
        directions.put(Roles.FORGET, Direction.LOWER_IS_BETTER);
        directions.put(Roles.FORGET_PARAPHRASED, Direction.LOWER_IS_BETTER);
        directions.put(Roles.RETAIN, Direction.HIGHER_IS_BETTER);
        directions.put(Roles.RETAIN_PARAPHRASED, Direction.HIGHER_IS_BETTER);
        directions.put(Roles.WORLD, Direction.HIGHER_IS_BETTER);
        directions.put(Roles.HOLDOUT, Direction.NEUTRAL);
        directions.put(Roles.RUMOURS, Direction.LOWER_IS_BETTER);
        directions.put(Roles.RUMOURS_PARAPHRASED, Direction.LOWER_IS_BETTER);
        directions.put(Roles.RUMOUR_TRUTH, Direction.HIGHER_IS_BETTER);
        DIRECTIONS = Collections.unmodifiableMap(directions);
    }

    private AnswerRoles() {
    }
}
