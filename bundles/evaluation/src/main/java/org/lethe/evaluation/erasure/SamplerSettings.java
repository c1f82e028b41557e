package org.lethe.evaluation.erasure;

import org.lethe.api.LetheException;

/**
 * How the erasure evaluation draws and reads its samples: the DDIM sampler's steps and
 * classifier-free guidance, how many prompts go through one sampler call, and the silhouette
 * threshold of the layout scores. Part of every cached sample's key, so that samples drawn under
 * other settings are never mixed up.
 *
 * @param ddimSteps DDIM steps of every sample, at least 1
 * @param guidance classifier-free guidance weight w (1 = none), finite and not negative
 * @param batchSize prompts per sampler call, at least 1 (only speed depends on it)
 * @param silhouetteThreshold the threshold on the largest channel of |image − background| above which
 *     a pixel belongs to the object ({@link LayoutScores#silhouette}), finite and not negative
 */
public record SamplerSettings(int ddimSteps, double guidance, int batchSize, double silhouetteThreshold) {

    /** Checks every value, naming the setting. */
    public SamplerSettings {
        if (ddimSteps < 1) {
            throw LetheException.invalidInput("setting 'ddimSteps' must be at least 1, not " + ddimSteps);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw LetheException.invalidInput("setting 'guidance' must be finite and not negative, not " + guidance);
        }
        if (batchSize < 1) {
            throw LetheException.invalidInput("setting 'batchSize' must be at least 1, not " + batchSize);
        }
        if (!(silhouetteThreshold >= 0) || Double.isInfinite(silhouetteThreshold)) {
            throw LetheException.invalidInput("setting 'silhouetteThreshold' must be finite and not negative, not "
                    + silhouetteThreshold);
        }
    }
}
