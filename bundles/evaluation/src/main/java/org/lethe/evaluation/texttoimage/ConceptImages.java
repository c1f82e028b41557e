package org.lethe.evaluation.texttoimage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lethe.api.LetheException;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.evaluation.erasure.Concept;

/**
 * What the text-to-image recovery probes share: the real images of an erased concept (role
 * {@value Roles#CONCEPT_IMAGES}), each paired with the erased prompt that describes it best, and the
 * standard single-step denoising loss on them (research/methods-gen.md §8; DDPM's ε-loss).
 *
 * @param image a real image of the concept
 * @param prompt the erased prompt targeting the concept whose labels agree with the image's on the
 *     most attributes (the first such prompt on a tie)
 */
record ConceptImages(LabelledImage image, Prompt prompt) {

    /**
     * The task's images of the concepts, paired with erased prompts.
     *
     * @param task the task (role {@value Roles#CONCEPT_IMAGES} and {@value Roles#ERASED_PROMPTS})
     * @param run the probe's erasure run (its classifier decides what the labels mean)
     * @param concepts the concepts whose images are taken
     * @param probe the probe's name, for messages
     * @return the pairs, in image order
     * @throws LetheException (invalid input) naming the probe and role, when the task has no images, none
     *     of the concepts, or an image's size differs from the model's
     */
    static List<ConceptImages> of(Task task, ErasureRun run, List<Concept> concepts, String probe) {
        if (!task.has(Roles.CONCEPT_IMAGES)) {
            throw LetheException.invalidInput("probe " + probe + " needs real images of the erased concepts (data role '"
                    + Roles.CONCEPT_IMAGES + "'), which this evaluation does not have");
        }
        if (!run.hasPrompts(Roles.ERASED_PROMPTS)) {
            throw LetheException.invalidInput("probe " + probe + " needs the erased prompts (data role '"
                    + Roles.ERASED_PROMPTS + "'), which this evaluation does not have");
        }
        DiffusionModel model = run.model();
        List<Prompt> prompts = task.prompts(Roles.ERASED_PROMPTS).items();
        List<ConceptImages> out = new ArrayList<>();
        for (LabelledImage image : task.images(Roles.CONCEPT_IMAGES).items()) {
            Concept shown = concepts.stream().filter(c -> c.value().equals(image.labels().get(c.attribute()))).findFirst()
                    .orElse(null);
            if (shown == null) {
                continue;
            }
            if (image.channels() != model.channels() || image.height() != model.imageSize()
                    || image.width() != model.imageSize()) {
                throw LetheException.invalidInput("probe " + probe + ": image '" + image.id() + "' of '"
                        + Roles.CONCEPT_IMAGES + "' is " + image.channels() + "×" + image.height() + "×" + image.width()
                        + ", but the model makes " + model.channels() + "×" + model.imageSize() + "×" + model.imageSize());
            }
            Prompt best = null;
            int agreement = -1;
            for (Prompt p : prompts) {
                if (!shown.value().equals(p.labels().get(shown.attribute()))) {
                    continue;
                }
                int agree = (int) image.labels().entrySet().stream()
                        .filter(e -> e.getValue().equals(p.labels().get(e.getKey()))).count();
                if (agree > agreement) {
                    best = p;
                    agreement = agree;
                }
            }
            if (best == null) {
                throw LetheException.invalidInput("probe " + probe + ": no erased prompt targets " + shown
                        + ", the concept of image '" + image.id() + "'");
            }
            out.add(new ConceptImages(image, best));
        }
        if (out.isEmpty()) {
            throw LetheException.invalidInput("probe " + probe + ": the '" + Roles.CONCEPT_IMAGES + "' data ("
                    + task.images(Roles.CONCEPT_IMAGES).name() + ") has no image of the erased concepts " + concepts);
        }
        return out;
    }

    /**
     * The denoising loss ‖ε − ε_θ(x_t, t, c)‖² (mean over every value) of a batch: x_0 = 2·image − 1,
     * t uniform over the training schedule, ε ~ N(0, I), both drawn from {@code random} on the host.
     *
     * @param model the model (its parameters or the condition carry the gradient)
     * @param batch the images
     * @param condition the batch's condition (batch, context length, width)
     * @param random the probe's seeded random source
     * @param scope the step's scope
     * @return the scalar loss
     */
    static NDArray denoisingLoss(DiffusionModel model, List<ConceptImages> batch, NDArray condition, Random random,
            NDManager scope) {
        int n = batch.size();
        int per = model.channels() * model.imageSize() * model.imageSize();
        float[] clean = new float[n * per];
        float[] noise = new float[n * per];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            float[] pixels = batch.get(i).image().pixels();
            for (int v = 0; v < per; v++) {
                clean[i * per + v] = 2f * pixels[v] - 1f;
                noise[i * per + v] = (float) random.nextGaussian();
            }
            t[i] = random.nextInt(model.trainingSteps());
        }
        Shape shape = new Shape(n, model.channels(), model.imageSize(), model.imageSize());
        NDArray eps = scope.create(noise, shape);
        NDArray timesteps = scope.create(t);
        NDArray noisy = model.addNoise(scope.create(clean, shape), eps, timesteps);
        return model.predictNoise(noisy, timesteps, condition, true).sub(eps).square().mean();
    }

    /**
     * @param pairs pairs
     * @return their prompts' texts, in order
     */
    static List<String> texts(List<ConceptImages> pairs) {
        return pairs.stream().map(p -> p.prompt().prompt()).toList();
    }
}
