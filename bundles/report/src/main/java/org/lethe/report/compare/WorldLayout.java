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
import java.util.Optional;
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
            write(target, kept.toString().getBytes(StandardCharsets.UTF_8));
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

    /** @return the id of the model corrupted with the world's misinformation (RESTOR's θ_corrupted) */
    String corruptedModel() {
        return baseModel() + "-corrupted";
    }

    /**
     * The misinformation protocol's data: what the corrupted model was trained on (the rumours and
     * the corrupting documents' sentences, to unlearn), and the roles of its evaluation.
     *
     * @return empty when the world has no misinformation (a user's corpus, or a world trained before it had)
     */
    Optional<Misinformation> misinformation() {
        if (!Files.isRegularFile(file("rumours")) || !Files.isRegularFile(file("corrupted_facts"))
                || !Files.isRegularFile(file("retain90"))) {
            return Optional.empty();
        }
        Map<String, String> roles = new LinkedHashMap<>();
        put(roles, Roles.FORGET, "rumours");
        put(roles, Roles.RUMOURS, "rumours");
        put(roles, Roles.RUMOURS_PARAPHRASED, "rumours_paraphrased");
        put(roles, Roles.RUMOUR_TRUTH, "corrupted_facts");
        put(roles, Roles.RETAIN, "retain90");
        put(roles, Roles.WORLD, "world");
        String forget = source("rumours");
        if (Files.isRegularFile(file("corrupting_k2_statements"))) {
            forget = joined("misinformation", List.of("rumours", "corrupting_k2_statements"));
        }
        Map<String, String> selective = new LinkedHashMap<>();
        put(selective, Roles.FORGET, "rumours_selective_forget");
        put(selective, Roles.RETAIN, "rumours_selective_keep");
        put(selective, Roles.WORLD, "world");
        return Optional.of(new Misinformation(forget, source("retain90"), roles,
                selective.size() == 3 ? Optional.of(selective) : Optional.empty()));
    }

    /**
     * The misinformation protocol's data.
     *
     * @param forget what the methods unlearn from the corrupted model
     * @param retain their retain data
     * @param roles the evaluation's roles
     * @param selective OFFSIDE's selective unlearning: forget (half of each entity's rumours), retain
     *     (the other half, to keep) and world; empty when the world has no such splits
     */
    record Misinformation(String forget, String retain, Map<String, String> roles, Optional<Map<String, String>> selective) {
    }

    /** Several of the world's files in one, in order, as a file of its own beside them. */
    private String joined(String name, List<String> parts) {
        try {
            StringBuilder all = new StringBuilder();
            for (String part : parts) {
                for (String line : Files.readAllLines(file(part), StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        all.append(line).append('\n');
                    }
                }
            }
            write(file(name), all.toString().getBytes(StandardCharsets.UTF_8));
            return source(name);
        } catch (IOException e) {
            throw LetheException.invalidInput(data + ": cannot join " + parts + ": " + e.getMessage());
        }
    }

    /** Writes a cut beside the world's files, atomically, only when its bytes change (shared with {@link ErasureLayout}). */
    static void write(Path target, byte[] bytes) throws IOException {
        if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
            Path temp = Files.createTempFile(target.getParent(), ".cut-", ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
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
