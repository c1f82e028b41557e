package org.lethe.worlds.shapes;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.world.World.TrainedModel;
import org.lethe.core.run.WorldsRunContexts;

/**
 * The full-size training of the shapes world outside the container (not a test): what
 * {@code unlearn:train shapes} runs, through the core's optimisation loop, printing the run's log
 * as it goes. Arguments: seed, output folder, then optional {@code key=value} overrides of
 * {@link ShapesWorldService.Config} (integers, decimals). Run with one intra-op thread.
 */
public final class ShapesWorldTrainingMeasurement {

    private ShapesWorldTrainingMeasurement() {
    }

    /**
     * @param args seed, output folder, overrides
     * @throws Exception when training fails (a failed gate included)
     */
    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        Path output = Files.createDirectories(Path.of(args[1]));
        Map<String, Object> overrides = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            Class<?> type = ShapesWorldService.Config.class.getMethod(kv[0]).getReturnType();
            overrides.put(kv[0], type == int.class ? (Object) Integer.parseInt(kv[1])
                    : type == float.class ? (Object) Float.parseFloat(kv[1]) : (Object) Double.parseDouble(kv[1]));
        }
        List<String> log = new ArrayList<>() {
            @Override
            public boolean add(String line) {
                System.out.println(java.time.Instant.now() + " " + line);
                return super.add(line);
            }
        };
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            List<TrainedModel> trained = ShapesWorldServices.service(overrides).train(ShapesGenerator.generate(seed),
                    output, WorldsRunContexts.context(seed, manager, log));
            System.out.printf("done in %.1f s: %s%n", (System.nanoTime() - start) / 1e9,
                    trained.stream().map(TrainedModel::id).toList());
        }
    }
}
