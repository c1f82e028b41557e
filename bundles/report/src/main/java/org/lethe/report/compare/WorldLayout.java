package org.lethe.report.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;
import org.lethe.api.eval.Roles;

/**
 * Which files of a trained world an evaluation reads for a forget split, by {@link Roles role}, and
 * which models are its references. These are the facts world's conventions (research/methods-llm.md
 * §3.1 and {@code FactsCorpusWriter}): {@code forgetNN} with {@code retain<100-NN>} and
 * {@code forgetNN_paraphrased}; {@code facts-lm} and {@code facts-lm-gold-forgetNN[-seedK]}. The
 * two-hop and presupposing splits cover every forget10 entity, so for a smaller split they are cut
 * to the split's entities (the world's {@code manifest.json} lists them) into files of their own.
 */
final class WorldLayout {

    private static final Pattern FORGET = Pattern.compile("forget(\\d{2})");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String world;
    private final Path data;

    /**
     * @param world the world's name
     * @param data the training run's data folder ({@code worlds/<world>/<run>/data}); cuts of its files
     *     for a split go beside them, as {@code <file>.<split>.jsonl}
     */
    WorldLayout(String world, Path data) {
        this.world = world;
        this.data = data;
    }

    /** @return the base model's id */
    String baseModel() {
        return world + "-lm";
    }

    /**
     * @param split the forget split
     * @param seed 0 for the first gold model, n for the n-th further seed
     * @return the gold model's id
     */
    String goldModel(String split, int seed) {
        return baseModel() + "-gold-" + split + (seed == 0 ? "" : "-seed" + seed);
    }

    /**
     * @param split a forget split, {@code forget01}, {@code forget05} or {@code forget10}
     * @return role → data source ({@code world:<world>/<split>}, which names the data independently of
     *     where the data folder is), for the roles the world has
     * @throws LetheException (invalid input) for a split that is not a forget split of the world
     */
    Map<String, String> roles(String split) {
        Matcher m = FORGET.matcher(split);
        if (!m.matches() || !Files.isRegularFile(file(split))) {
            throw LetheException.invalidInput("'" + split + "' is not a forget split of world '" + world
                    + "' (its forget splits: forget01, forget05, forget10)");
        }
        int percent = Integer.parseInt(m.group(1));
        Map<String, String> roles = new LinkedHashMap<>();
        put(roles, Roles.FORGET, split);
        put(roles, Roles.RETAIN, "retain" + (100 - percent));
        put(roles, Roles.HOLDOUT, "holdout");
        put(roles, Roles.WORLD, "world");
        put(roles, Roles.FORGET_PARAPHRASED, split + "_paraphrased");
        put(roles, Roles.RETAIN_PARAPHRASED, "retain_paraphrased");
        Set<String> entities = entities(split);
        cut(roles, Roles.TWO_HOP, "twohop_forget", split, entities);
        put(roles, Roles.TWO_HOP_CONTROL, "twohop_control");
        cut(roles, Roles.IMPLIED, "implied_forget", split, entities);
        put(roles, Roles.IMPLIED_CONTROL, "implied_control");
        return roles;
    }

    private Path file(String name) {
        return data.resolve(name + ".jsonl");
    }

    private void put(Map<String, String> roles, String role, String name) {
        if (Files.isRegularFile(file(name))) {
            roles.put(role, source(name));
        }
    }

    private String source(String name) {
        return "world:" + world + "/" + name;
    }

    /** The forget split's entities, from the world's manifest. */
    private Set<String> entities(String split) {
        Path manifest = data.resolve("manifest.json");
        try {
            JsonNode group = JSON.readTree(manifest.toFile()).path("entity_groups").path(split);
            Set<String> out = new HashSet<>();
            group.forEach(n -> out.add(n.asText()));
            return out;
        } catch (IOException e) {
            throw LetheException.invalidInput(manifest + ": cannot read the world's entity groups: " + e.getMessage());
        }
    }

    /** The items of a world file whose entity is one of the split's, in a file of their own. */
    private void cut(Map<String, String> roles, String role, String name, String suffix, Set<String> entities) {
        Path source = file(name);
        if (!Files.isRegularFile(source) || entities.isEmpty()) {
            return;
        }
        try {
            StringBuilder kept = new StringBuilder();
            for (String line : Files.readAllLines(source, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && entities.contains(JSON.readTree(line).path("entity").asText())) {
                    kept.append(line).append('\n');
                }
            }
            if (kept.length() == 0) {
                return;
            }
            String cut = name + "." + suffix;
            Path target = file(cut);
            byte[] bytes = kept.toString().getBytes(StandardCharsets.UTF_8);
            if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
                Files.createDirectories(target.getParent());
                Path temp = Files.createTempFile(target.getParent(), ".cut-", ".tmp");
                Files.write(temp, bytes);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            roles.put(role, source(cut));
        } catch (IOException e) {
            throw LetheException.invalidInput(source + ": cannot cut it (" + suffix + "): " + e.getMessage());
        }
    }

    /**
     * The forget requests of the sequential protocol for a split: the world's forget splits up to it,
     * smallest first (forget01, forget05, forget10 are nested), each request forgetting only the
     * entities the previous ones did not.
     *
     * @param split the comparison's forget split
     * @return each request: the cumulative split (whose evaluation roles and gold models apply after
     *     it) and the source of the request's own forget items
     */
    List<Request> sequence(String split) {
        roles(split);
        int last = Integer.parseInt(FORGET.matcher(split).replaceAll("$1"));
        List<Request> out = new java.util.ArrayList<>();
        String previous = null;
        for (String candidate : List.of("forget01", "forget05", "forget10")) {
            int percent = Integer.parseInt(candidate.substring("forget".length()));
            if (percent > last || !Files.isRegularFile(file(candidate))) {
                continue;
            }
            if (previous == null) {
                out.add(new Request(candidate, source(candidate)));
            } else {
                Set<String> entities = new HashSet<>(entities(candidate));
                entities.removeAll(entities(previous));
                Map<String, String> cut = new LinkedHashMap<>();
                cut(cut, "forget", candidate, "minus-" + previous, entities);
                if (cut.isEmpty()) {
                    continue;
                }
                out.add(new Request(candidate, cut.get("forget")));
            }
            previous = candidate;
        }
        return out;
    }

    /**
     * One request of the sequential protocol.
     *
     * @param split the cumulative forget split after this request
     * @param forget the source of the items this request forgets
     */
    record Request(String split, String forget) {
    }

    /** @return the roles every comparison of this world evaluates, in report order */
    static List<String> order() {
        return Roles.ALL;
    }
}
