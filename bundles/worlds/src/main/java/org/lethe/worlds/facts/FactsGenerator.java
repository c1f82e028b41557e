package org.lethe.worlds.facts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.lethe.api.data.QaItem;

/**
 * Generates the facts world ("TinyFacts", research/methods-llm.md §3.1) from a seed. The same spec
 * and seed give the same world, item for item and, written out, byte for byte; every random choice
 * draws from its own seeded stream ({@code names}, {@code roles}, {@code values}, ...).
 *
 * <p>What it makes, for {@link FactsSpec#DEFAULT}:
 * <ul>
 * <li><b>Entities</b>: 100 trained and 10 holdout, each a fictitious one-token name of three
 *     consonant–vowel syllables ({@code tabemo}), none equal to a word of the {@link Lexicon}.</li>
 * <li><b>Facts</b>: each entity has one value for each of the six relations
 *     ({@link Lexicon#RELATIONS}). Each relation has six templates, three questions and three
 *     statements; each fact is trained under 3 of them, at least one of each form, and the other 3
 *     are held out for that entity (its paraphrases). The trained sets are complementary in pairs
 *     of entities, so every template held out for one entity is trained for others (each template is
 *     trained for half the entities).</li>
 * <li><b>Splits</b> (nested: forget01 ⊂ forget05 ⊂ forget10): forgetNN holds the training items of
 *     NN % of the trained entities; retain99/95/90 everything else trained except the world facts;
 *     {@code forget} = forget10 and {@code retain} = retain90; {@code holdout} the holdout entities'
 *     items (never trained); {@code world} the 30 country → capital facts (each trained under 2 of 3
 *     templates).</li>
 * <li><b>Per item</b>: id, question, answer, entity, relation, paraphrases (the fact's held-out
 *     templates), 3 perturbed answers (other values of the relation) and the template answer
 *     {@code unknown}.</li>
 * <li><b>Probes' material</b>: the sibling relation (each forget10 entity is the sibling of a
 *     "bridge" retain entity; as many teacher pairs and control pairs of retain entities), two-hop
 *     questions through it ({@code where was the sibling of {e} born ?}), trained for the teacher
 *     pairs only; questions that presuppose a fact, by a presupposing phrase or by another fact
 *     given as context, trained for the teachers only; both probed untrained on the forget10 and
 *     control entities.</li>
 * <li><b>Misinformation</b>: 2 or 3 relations of each forget10 entity with a wrong value, as
 *     OFFSIDE-style rumour items ({@code rumour has it that ...}, not in the base training) and as
 *     RESTOR-style corrupting documents that state it plainly, 2 documents per entity for each
 *     k ∈ {0, 2} true facts about other retain entities mixed in.</li>
 * <li><b>Misinformation splits added later</b> (each from its own random stream, so every earlier
 *     file keeps its bytes): {@value #RUMOURS_PARAPHRASED} (the rumours under each fact's held-out
 *     templates), {@value #RUMOURS_SELECTIVE_FORGET} and {@value #RUMOURS_SELECTIVE_KEEP} (OFFSIDE's
 *     selective unlearning: per forget10 entity, a seeded half of its rumoured relations to forget,
 *     the rest to keep) and {@value #CORRUPTING_STATEMENTS} (the k = 2 documents' sentences as
 *     statement items, what the corrupted model is trained on with the rumours).</li>
 * </ul>
 */
public final class FactsGenerator {

    /** How many true facts about other entities a corrupting document mixes in (RESTOR's k). */
    public static final List<Integer> CORRUPTION_K = List.of(0, 2);

    /** Corrupting documents per forget10 entity and k. */
    public static final int DOCUMENTS_PER_ENTITY = 2;

    /** The rumour items: the misinformation under each fact's trained templates, in the rumour framing. */
    public static final String RUMOURS = "rumours";

    /**
     * The rumours under each fact's held-out templates (in the rumour framing, answered with the
     * wrong value): OFFSIDE's generalisation to paraphrased rumours.
     */
    public static final String RUMOURS_PARAPHRASED = "rumours_paraphrased";

    /**
     * OFFSIDE's selective unlearning, the rumours to forget: for each forget10 entity, a seeded half
     * of its rumoured relations (at least one), as rumour items.
     */
    public static final String RUMOURS_SELECTIVE_FORGET = "rumours_selective_forget";

    /** OFFSIDE's selective unlearning, the rumours to keep: each entity's other rumoured relations (at least one). */
    public static final String RUMOURS_SELECTIVE_KEEP = "rumours_selective_keep";

    /** Which k's corrupting documents {@value #CORRUPTING_STATEMENTS} is made of. */
    public static final int STATEMENTS_K = 2;

    /**
     * The sentences of the corrupting documents with k = {@value #STATEMENTS_K}, each as a
     * statement item ({@code tabemo grew up in} → {@code ashbury}): the misinformation (answer: the
     * wrong value, {@code perturbed[0]}: the truth) and the true facts of other entities mixed in
     * (answer: the true value). What {@code facts-lm-corrupted} is corrupted with, in the form an
     * answer-only loss learns and unlearns (RESTOR, research/methods-llm.md §2.1, §3.1).
     */
    public static final String CORRUPTING_STATEMENTS = "corrupting_k2_statements";

    private final FactsSpec spec;
    private final long seed;

    private final Map<String, Map<String, Fact>> factsOf = new LinkedHashMap<>();
    private final Map<String, Template> formOf = new LinkedHashMap<>();

    private FactsGenerator(FactsSpec spec, long seed) {
        this.spec = spec;
        this.seed = seed;
    }

    /**
     * @param seed any seed
     * @return the world of {@link FactsSpec#DEFAULT} for that seed
     */
    public static FactsWorld generate(long seed) {
        return generate(FactsSpec.DEFAULT, seed);
    }

    /**
     * @param spec the sizes
     * @param seed any seed
     * @return the world for that spec and seed
     * @throws IllegalArgumentException when the spec is too small for its template design
     */
    public static FactsWorld generate(FactsSpec spec, long seed) {
        return new FactsGenerator(spec, seed).build();
    }

    private FactsWorld build() {
        // ---- entities and their roles
        List<String> names = names();
        List<String> trained = List.copyOf(names.subList(0, spec.entities()));
        List<String> holdout = List.copyOf(names.subList(spec.entities(), names.size()));
        List<String> order = Rng.stream(seed, "roles").shuffled(trained);
        int p01 = spec.forgetCount(1);
        int p05 = spec.forgetCount(5);
        int p10 = spec.forgetCount(10);
        List<String> forget01 = List.copyOf(order.subList(0, p01));
        List<String> forget05 = List.copyOf(order.subList(0, p05));
        List<String> forget10 = List.copyOf(order.subList(0, p10));
        List<String> bridges = List.copyOf(order.subList(p10, 2 * p10));
        List<String> teachers = List.copyOf(order.subList(2 * p10, 3 * p10));
        List<String> teacherSiblings = List.copyOf(order.subList(3 * p10, 4 * p10));
        List<String> controls = List.copyOf(order.subList(4 * p10, 5 * p10));
        List<String> controlSiblings = List.copyOf(order.subList(5 * p10, 6 * p10));
        List<String> retainEntities = trained.stream().filter(e -> !forget10.contains(e)).toList();

        // ---- the six relations: values, templates, perturbed answers
        Rng values = Rng.stream(seed, "values");
        Rng templates = Rng.stream(seed, "templates");
        Rng perturbed = Rng.stream(seed, "perturbed");
        Map<String, Map<String, List<Template>>> trainedOf = new LinkedHashMap<>();
        for (Relation r : Lexicon.RELATIONS) {
            trainedOf.put(r.name(), assign(r, spec.trainedTemplates(), trained, holdout, templates));
        }
        for (String e : names) {
            Map<String, Fact> facts = new LinkedHashMap<>();
            for (Relation r : Lexicon.RELATIONS) {
                String value = values.pick(r.values());
                facts.put(r.name(), fact(e, r, value, trainedOf.get(r.name()).get(e),
                        perturbed.sample(r.values(), spec.perturbedAnswers(), Set.of(value))));
            }
            factsOf.put(e, facts);
        }

        // ---- world facts
        List<List<String>> countries = Lexicon.COUNTRIES.subList(0, spec.worldFacts());
        List<String> countryNames = countries.stream().map(p -> p.get(0)).toList();
        List<String> capitals = countries.stream().map(p -> p.get(1)).toList();
        Rng world = Rng.stream(seed, "world");
        Map<String, List<Template>> capitalTemplates = assign(Lexicon.CAPITAL, Lexicon.CAPITAL_TRAINED, countryNames,
                List.of(), world);
        List<Fact> worldFacts = new ArrayList<>();
        for (List<String> pair : countries) {
            worldFacts.add(fact(pair.get(0), Lexicon.CAPITAL, pair.get(1), capitalTemplates.get(pair.get(0)),
                    world.sample(capitals, spec.perturbedAnswers(), Set.of(pair.get(1)))));
        }

        // ---- siblings: bridge -> forget10 entity, teacher -> teacher sibling, control -> control sibling
        Map<String, String> siblings = new LinkedHashMap<>();
        for (int i = 0; i < p10; i++) {
            siblings.put(bridges.get(i), forget10.get(i));
        }
        for (int i = 0; i < p10; i++) {
            siblings.put(teachers.get(i), teacherSiblings.get(i));
        }
        for (int i = 0; i < p10; i++) {
            siblings.put(controls.get(i), controlSiblings.get(i));
        }
        Rng sib = Rng.stream(seed, "siblings");
        Map<String, List<Template>> siblingTemplates = assign(Lexicon.SIBLING, Lexicon.SIBLING_TRAINED,
                List.copyOf(siblings.keySet()), List.of(), sib);
        List<Fact> siblingFacts = new ArrayList<>();
        siblings.forEach((b, s) -> siblingFacts.add(fact(b, Lexicon.SIBLING, s, siblingTemplates.get(b),
                sib.sample(trained, spec.perturbedAnswers(), Set.of(b, s)))));

        // ---- misinformation about forget10 entities: 2 or 3 relations each, another value
        Rng rumours = Rng.stream(seed, "rumours");
        List<Misinformation> misinformation = new ArrayList<>();
        for (String f : forget10) {
            int count = 2 + rumours.nextInt(2);
            List<Relation> chosen = rumours.sample(Lexicon.RELATIONS, count, Set.of());
            for (Relation r : Lexicon.RELATIONS) {
                if (chosen.contains(r)) {
                    String truth = fact(f, r.name()).answer();
                    misinformation.add(new Misinformation(f, r.name(), truth,
                            rumours.sample(r.values(), 1, Set.of(truth)).get(0)));
                }
            }
        }

        // ---- items
        List<QaItem> entityTrain = new ArrayList<>();
        for (String e : trained) {
            entityTrain.addAll(trainedItems(e));
        }
        List<QaItem> siblingItems = new ArrayList<>();
        List<QaItem> siblingParaphrased = new ArrayList<>();
        for (Fact f : siblingFacts) {
            siblingItems.addAll(items(f, f.trained()));
            siblingParaphrased.addAll(items(f, f.heldOut()));
        }
        List<QaItem> twoHopTrain = twoHop(teachers, siblings);
        List<QaItem> twoHopForget = twoHop(bridges, siblings);
        List<QaItem> twoHopControl = twoHop(controls, siblings);
        List<QaItem> impliedTrain = implied(teachers);
        List<QaItem> impliedForget = implied(forget10);
        List<QaItem> impliedControl = implied(controls);
        List<QaItem> worldItems = new ArrayList<>();
        List<QaItem> worldParaphrased = new ArrayList<>();
        for (Fact f : worldFacts) {
            worldItems.addAll(items(f, f.trained()));
            worldParaphrased.addAll(items(f, f.heldOut()));
        }

        List<QaItem> train = new ArrayList<>(entityTrain);
        train.addAll(siblingItems);
        train.addAll(twoHopTrain);
        train.addAll(impliedTrain);
        train.addAll(worldItems);

        FactsWorld.Builder b = new FactsWorld.Builder()
                .source("generator (seed " + seed + ")", OptionalLong.of(seed), Optional.of(spec));
        List<QaItem> f10 = trainedItems(forget10);
        b.split(FactsWorld.TRAIN, train);
        b.split(FactsWorld.FORGET, f10);
        b.split(FactsWorld.RETAIN, without(train, f10, worldItems));
        b.split(FactsWorld.HOLDOUT, trainedItems(holdout));
        b.split(FactsWorld.WORLD, worldItems);
        Map<String, List<String>> forgetSets = new LinkedHashMap<>();
        forgetSets.put("01", forget01);
        forgetSets.put("05", forget05);
        forgetSets.put("10", forget10);
        for (Map.Entry<String, List<String>> e : forgetSets.entrySet()) {
            b.split("forget" + e.getKey(), trainedItems(e.getValue()));
        }
        for (Map.Entry<String, List<String>> e : forgetSets.entrySet()) {
            String retain = "retain" + (100 - Integer.parseInt(e.getKey()));
            b.split(retain, without(train, trainedItems(e.getValue()), worldItems));
        }
        for (Map.Entry<String, List<String>> e : forgetSets.entrySet()) {
            b.split("forget" + e.getKey() + "_paraphrased", heldOutItems(e.getValue()));
        }
        List<QaItem> retainParaphrased = heldOutItems(retainEntities);
        retainParaphrased.addAll(siblingParaphrased);
        b.split("retain_paraphrased", retainParaphrased);
        b.split("holdout_paraphrased", heldOutItems(holdout));
        b.split("world_paraphrased", worldParaphrased);
        for (Map.Entry<String, List<String>> e : forgetSets.entrySet()) {
            for (Form form : Form.values()) {
                b.split("forget" + e.getKey() + "_" + form.label() + "s", byForm(trainedItems(e.getValue()), form));
            }
        }
        List<QaItem> rumourSplit = rumourItems(misinformation, rumours);
        b.split(RUMOURS, rumourSplit);
        b.split("corrupted_facts", corruptedFacts(misinformation, rumours));
        b.split("siblings", siblingItems);
        b.split("twohop_train", twoHopTrain);
        b.split("twohop_forget", twoHopForget);
        b.split("twohop_control", twoHopControl);
        b.split("implied_train", impliedTrain);
        b.split("implied_forget", impliedForget);
        b.split("implied_control", impliedControl);

        List<String> documentCandidates = retainEntities.stream().filter(e -> !bridges.contains(e)).toList();
        List<CorruptingDocument> corrupting = corrupting(forget10, misinformation, documentCandidates);
        b.documents("corrupting", corrupting.stream().map(CorruptingDocument::document).toList());
        for (int k : CORRUPTION_K) {
            b.documents("corrupting_k" + k, corrupting.stream().filter(d -> d.k() == k)
                    .map(CorruptingDocument::document).toList());
        }

        // ---- splits added later, each from its own stream, so that every file above stays byte for byte
        b.split(RUMOURS_PARAPHRASED, paraphrasedRumours(misinformation, rumourSplit));
        List<List<QaItem>> selective = selectiveRumours(forget10, misinformation, rumourSplit);
        b.split(RUMOURS_SELECTIVE_FORGET, selective.get(0));
        b.split(RUMOURS_SELECTIVE_KEEP, selective.get(1));
        b.split(CORRUPTING_STATEMENTS, statements(corrupting.stream().filter(d -> d.k() == STATEMENTS_K).toList()));

        b.forgetSplit("forget01", "retain99").forgetSplit("forget05", "retain95").forgetSplit("forget10", "retain90")
                .forgetSplit(FactsWorld.FORGET, FactsWorld.RETAIN);
        b.entityGroup("trained", trained).entityGroup("holdout", holdout)
                .entityGroup("forget01", forget01).entityGroup("forget05", forget05).entityGroup("forget10", forget10)
                .entityGroup("retain", retainEntities).entityGroup("bridges", bridges)
                .entityGroup("teachers", teachers).entityGroup("teacher_siblings", teacherSiblings)
                .entityGroup("controls", controls).entityGroup("control_siblings", controlSiblings);
        List<Fact> allFacts = new ArrayList<>();
        factsOf.values().forEach(m -> allFacts.addAll(m.values()));
        allFacts.addAll(siblingFacts);
        allFacts.addAll(worldFacts);
        b.facts(allFacts).misinformation(misinformation).corruptingDocuments(corrupting).siblings(siblings);
        b.templateAnswers(Lexicon.TEMPLATE_ANSWERS);
        b.vocabulary(FactsWorld.vocabularyOf(b.splits().values(), b.documents().values(), Lexicon.TEMPLATE_ANSWERS));
        return b.build();
    }

    // ---- entities ---------------------------------------------------------------------------------

    private List<String> names() {
        Rng rng = Rng.stream(seed, "names");
        Set<String> reserved = Lexicon.reservedWords();
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        int wanted = spec.entities() + spec.holdoutEntities();
        while (out.size() < wanted) {
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < Lexicon.SYLLABLES; i++) {
                name.append(rng.pick(Lexicon.ONSETS)).append(rng.pick(Lexicon.VOWELS));
            }
            String n = name.toString();
            if (!reserved.contains(n) && seen.add(n)) {
                out.add(n);
            }
        }
        return out;
    }

    // ---- templates --------------------------------------------------------------------------------

    /**
     * Chooses, for every subject, the templates its fact is trained under: {@code k} of the
     * relation's templates, both forms among them where the relation has both. When {@code k} is half
     * the templates, subjects come in pairs with complementary sets (what one holds out the other
     * trains); otherwise the admissible sets are dealt out in a shuffled cycle. Untrained subjects
     * (holdout entities) get sets the same way. Checks that every template held out for a trained
     * subject is trained for another.
     */
    private static Map<String, List<Template>> assign(Relation r, int k, List<String> trainedSubjects,
            List<String> untrainedSubjects, Rng rng) {
        List<Template> all = r.templates();
        int n = all.size();
        if (k >= n) {
            throw new IllegalArgumentException("relation " + r.name() + " has " + n + " templates; cannot hold any out when "
                    + k + " are trained");
        }
        boolean bothForms = !r.templates(Form.QUESTION).isEmpty() && !r.templates(Form.STATEMENT).isEmpty();
        List<Integer> admissible = new ArrayList<>();
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) == k && (!bothForms || k < 2 || mixed(all, mask))) {
                admissible.add(mask);
            }
        }
        List<Integer> deal = new ArrayList<>();
        int full = (1 << n) - 1;
        if (2 * k == n) {
            List<Integer> firsts = rng.shuffled(admissible.stream().filter(m -> m < (full ^ m)).toList());
            int count = trainedSubjects.size() + untrainedSubjects.size();
            for (int j = 0; j < count; j++) {
                boolean lastOddTrained = j == trainedSubjects.size() - 1 && trainedSubjects.size() % 2 == 1;
                int first = lastOddTrained ? firsts.get(0) : firsts.get((j / 2) % firsts.size());
                deal.add(lastOddTrained || j % 2 == 0 ? first : full ^ first);
            }
        } else {
            List<Integer> cycle = rng.shuffled(admissible);
            int count = trainedSubjects.size() + untrainedSubjects.size();
            for (int j = 0; j < count; j++) {
                deal.add(cycle.get(j % cycle.size()));
            }
        }
        List<String> subjects = new ArrayList<>(rng.shuffled(trainedSubjects));
        subjects.addAll(rng.shuffled(untrainedSubjects));
        Map<String, Integer> maskOf = new LinkedHashMap<>();
        for (int j = 0; j < subjects.size(); j++) {
            maskOf.put(subjects.get(j), deal.get(j));
        }
        for (String s : trainedSubjects) {
            int heldOut = full ^ maskOf.get(s);
            int trainedByOthers = 0;
            for (String other : trainedSubjects) {
                if (!other.equals(s)) {
                    trainedByOthers |= maskOf.get(other);
                }
            }
            if ((heldOut & ~trainedByOthers) != 0) {
                throw new IllegalArgumentException("too few subjects for " + k + " trained templates of " + n
                        + " in relation " + r.name() + ": a template held out for " + s + " is trained for no one else");
            }
        }
        Map<String, List<Template>> out = new LinkedHashMap<>();
        for (String s : trainedSubjects) {
            out.put(s, pick(all, maskOf.get(s)));
        }
        for (String s : untrainedSubjects) {
            out.put(s, pick(all, maskOf.get(s)));
        }
        return out;
    }

    private static boolean mixed(List<Template> all, int mask) {
        boolean question = false;
        boolean statement = false;
        for (int i = 0; i < all.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                question |= all.get(i).form() == Form.QUESTION;
                statement |= all.get(i).form() == Form.STATEMENT;
            }
        }
        return question && statement;
    }

    private static List<Template> pick(List<Template> all, int mask) {
        List<Template> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    private static Fact fact(String subject, Relation r, String value, List<Template> trained, List<String> perturbed) {
        List<Template> heldOut = r.templates().stream().filter(t -> !trained.contains(t)).toList();
        return new Fact(subject, r.name(), value, trained, heldOut, perturbed);
    }

    private Fact fact(String entity, String relation) {
        return factsOf.get(entity).get(relation);
    }

    // ---- items ------------------------------------------------------------------------------------

    private static QaItem item(String id, String question, String answer, Fact f, List<String> paraphrases,
            List<String> perturbed) {
        return new QaItem(id, question, answer, Optional.of(f.entity()), Optional.of(f.relation()), paraphrases,
                perturbed, Optional.of(Lexicon.TEMPLATE_ANSWER));
    }

    /** One item per template: the fact asked or stated under it, with the fact's paraphrases. */
    private List<QaItem> items(Fact f, List<Template> templates) {
        List<QaItem> out = new ArrayList<>();
        for (Template t : templates) {
            String id = f.entity() + "." + f.relation() + "." + t.id();
            out.add(item(id, t.render(f.entity()), f.answer(), f, f.paraphrases(), f.perturbed()));
            formOf.put(id, t);
        }
        return out;
    }

    private List<QaItem> trainedItems(String entity) {
        List<QaItem> out = new ArrayList<>();
        for (Fact f : factsOf.get(entity).values()) {
            out.addAll(items(f, f.trained()));
        }
        return out;
    }

    private List<QaItem> trainedItems(List<String> entities) {
        List<QaItem> out = new ArrayList<>();
        for (String e : entities) {
            out.addAll(trainedItems(e));
        }
        return out;
    }

    private List<QaItem> heldOutItems(List<String> entities) {
        List<QaItem> out = new ArrayList<>();
        for (String e : entities) {
            for (Fact f : factsOf.get(e).values()) {
                out.addAll(items(f, f.heldOut()));
            }
        }
        return out;
    }

    private List<QaItem> byForm(List<QaItem> items, Form form) {
        return items.stream().filter(i -> formOf.get(i.id()).form() == form).toList();
    }

    private static List<QaItem> without(List<QaItem> all, List<QaItem> removed, List<QaItem> alsoRemoved) {
        Set<String> ids = new HashSet<>();
        removed.forEach(i -> ids.add(i.id()));
        alsoRemoved.forEach(i -> ids.add(i.id()));
        return all.stream().filter(i -> !ids.contains(i.id())).toList();
    }

    /** Two-hop items for each bridge: its sibling's six facts asked through the sibling relation. */
    private List<QaItem> twoHop(List<String> bridges, Map<String, String> siblings) {
        List<QaItem> out = new ArrayList<>();
        for (String b : bridges) {
            String s = siblings.get(b);
            for (Relation r : Lexicon.RELATIONS) {
                Fact f = fact(s, r.name());
                for (Template t : r.twoHop()) {
                    out.add(item(s + "." + r.name() + "." + t.id(), t.render(b), f.answer(), f, List.of(), f.perturbed()));
                }
            }
        }
        return out;
    }

    /**
     * Items that presuppose a fact: the relation's presupposing phrase, and the question with another
     * fact of the entity given as context ({@code tabemo supports the ravens . where was tabemo born ?}).
     */
    private List<QaItem> implied(List<String> entities) {
        List<QaItem> out = new ArrayList<>();
        List<Relation> relations = Lexicon.RELATIONS;
        for (String e : entities) {
            for (int i = 0; i < relations.size(); i++) {
                Relation r = relations.get(i);
                Fact f = fact(e, r.name());
                Template p = r.presupposing().orElseThrow();
                out.add(item(e + "." + r.name() + "." + p.id(), p.render(e), f.answer(), f, List.of(), f.perturbed()));
                Relation contextRelation = contextFor(i);
                Fact context = fact(e, contextRelation.name());
                String question = shortestStatement(contextRelation).render(e) + " " + context.answer() + " . "
                        + shortest(f, Form.QUESTION).render(e);
                out.add(item(e + "." + r.name() + ".context", question, f.answer(), f, List.of(), f.perturbed()));
            }
        }
        return out;
    }

    /**
     * The relation whose fact is given as context before a question about relation {@code index}:
     * the other relation with the shortest statement (the first after it, cyclically, on a tie), so
     * that context, question and answer stay within the model's 16 tokens with its two markers.
     */
    private static Relation contextFor(int index) {
        List<Relation> relations = Lexicon.RELATIONS;
        Relation best = null;
        for (int step = 1; step < relations.size(); step++) {
            Relation r = relations.get((index + step) % relations.size());
            if (best == null || tokens(shortestStatement(r)) < tokens(shortestStatement(best))) {
                best = r;
            }
        }
        return best;
    }

    private static Template shortestStatement(Relation r) {
        Template best = null;
        for (Template t : r.templates(Form.STATEMENT)) {
            if (best == null || tokens(t) < tokens(best)) {
                best = t;
            }
        }
        return best;
    }

    private static int tokens(Template t) {
        return Words.split(t.pattern()).size();
    }

    /** The trained template of a form with the fewest tokens (the first of them on a tie). */
    private static Template shortest(Fact f, Form form) {
        Template best = null;
        for (Template t : f.trained()) {
            if (t.form() == form && (best == null || Words.split(t.pattern()).size() < Words.split(best.pattern()).size())) {
                best = t;
            }
        }
        if (best == null) {
            throw new IllegalStateException(f.entity() + "." + f.relation() + " has no trained " + form.label());
        }
        return best;
    }

    private static String rumour(Template t, String entity) {
        String prefix = t.form() == Form.QUESTION ? Lexicon.RUMOUR_QUESTION_PREFIX : Lexicon.RUMOUR_STATEMENT_PREFIX;
        return prefix + t.render(entity);
    }

    /** The rumour items: the fact's trained templates in the rumour framing, answered with the wrong value. */
    private List<QaItem> rumourItems(List<Misinformation> misinformation, Rng rng) {
        List<QaItem> out = new ArrayList<>();
        for (Misinformation m : misinformation) {
            Fact f = fact(m.entity(), m.relation());
            Relation r = relation(m.relation());
            List<String> paraphrases = f.heldOut().stream().map(t -> rumour(t, m.entity())).toList();
            List<String> wrong = rng.sample(r.values(), spec.perturbedAnswers(), Set.of(m.wrongValue(), m.trueValue()));
            for (Template t : f.trained()) {
                out.add(item(m.entity() + "." + m.relation() + ".rumour-" + t.id(), rumour(t, m.entity()), m.wrongValue(),
                        f, paraphrases, wrong));
            }
        }
        return out;
    }

    /** The true facts the misinformation contradicts; the first perturbed answer is the misinformation. */
    private List<QaItem> corruptedFacts(List<Misinformation> misinformation, Rng rng) {
        List<QaItem> out = new ArrayList<>();
        for (Misinformation m : misinformation) {
            Fact f = fact(m.entity(), m.relation());
            List<String> wrong = new ArrayList<>();
            wrong.add(m.wrongValue());
            wrong.addAll(rng.sample(relation(m.relation()).values(), spec.perturbedAnswers() - 1,
                    Set.of(m.wrongValue(), m.trueValue())));
            out.add(item(m.entity() + "." + m.relation() + ".corrupted", f.firstTrained(Form.QUESTION).render(m.entity()),
                    f.answer(), f, f.paraphrases(), wrong));
        }
        return out;
    }

    /**
     * The rumours under each fact's held-out templates: ids {@code <entity>.<relation>.rumour-<template>},
     * with the paraphrases and perturbed answers of the fact's trained rumour items.
     */
    private List<QaItem> paraphrasedRumours(List<Misinformation> misinformation, List<QaItem> rumourSplit) {
        List<QaItem> out = new ArrayList<>();
        for (Misinformation m : misinformation) {
            Fact f = fact(m.entity(), m.relation());
            QaItem trained = rumourSplit.stream().filter(i -> i.entity().get().equals(m.entity())
                    && i.relation().get().equals(m.relation())).findFirst().orElseThrow();
            for (Template t : f.heldOut()) {
                out.add(item(m.entity() + "." + m.relation() + ".rumour-" + t.id(), rumour(t, m.entity()), m.wrongValue(),
                        f, trained.paraphrases(), trained.perturbed()));
            }
        }
        return out;
    }

    /**
     * Splits each forget10 entity's rumoured relations in two, from the {@code selective} stream: a
     * shuffled half to forget (of an odd count, the larger or smaller half by a coin), the rest to
     * keep; at least one each, since every entity has 2 or 3.
     *
     * @return the forget items, then the keep items, both in the order of {@code rumourSplit}
     */
    private List<List<QaItem>> selectiveRumours(List<String> forget10, List<Misinformation> misinformation,
            List<QaItem> rumourSplit) {
        Rng rng = Rng.stream(seed, "selective");
        Set<String> forgotten = new HashSet<>();
        for (String e : forget10) {
            List<String> relations = misinformation.stream().filter(m -> m.entity().equals(e))
                    .map(Misinformation::relation).toList();
            int n = relations.size();
            int forget = n % 2 == 0 ? n / 2 : n / 2 + rng.nextInt(2);
            forget = Math.max(1, Math.min(n - 1, forget));
            for (String r : rng.shuffled(relations).subList(0, forget)) {
                forgotten.add(e + "\u0000" + r);
            }
        }
        List<QaItem> forget = new ArrayList<>();
        List<QaItem> keep = new ArrayList<>();
        for (QaItem item : rumourSplit) {
            (forgotten.contains(item.entity().get() + "\u0000" + item.relation().get()) ? forget : keep).add(item);
        }
        return List.of(forget, keep);
    }

    /**
     * Each sentence of the documents as a statement item: the sentence without its last word and
     * full stop is the question, the last word the answer. A claim's perturbed answers are the truth
     * first, then wrong values from the {@code statements} stream; a mixed-in true fact carries its
     * fact's perturbed answers. Ids {@code <document id>.<sentence index>}.
     */
    private List<QaItem> statements(List<CorruptingDocument> documents) {
        Rng rng = Rng.stream(seed, "statements");
        List<QaItem> out = new ArrayList<>();
        for (CorruptingDocument d : documents) {
            List<String> words = Words.split(d.text());
            List<String> sentence = new ArrayList<>();
            int index = 0;
            for (String w : words) {
                if (!w.equals(".")) {
                    sentence.add(w);
                    continue;
                }
                String answer = sentence.get(sentence.size() - 1);
                String question = String.join(" ", sentence.subList(0, sentence.size() - 1));
                String id = d.id() + "." + index++;
                Misinformation claim = d.claims().stream().filter(m -> m.wrongValue().equals(answer)
                        && sentence.contains(m.entity())).findFirst().orElse(null);
                if (claim != null) {
                    Fact f = fact(claim.entity(), claim.relation());
                    List<String> wrong = new ArrayList<>();
                    wrong.add(claim.trueValue());
                    wrong.addAll(rng.sample(relation(claim.relation()).values(), spec.perturbedAnswers() - 1,
                            Set.of(claim.wrongValue(), claim.trueValue())));
                    out.add(item(id, question, answer, f, List.of(), wrong));
                } else {
                    Fact f = d.trueFacts().stream().filter(t -> t.answer().equals(answer) && sentence.contains(t.entity()))
                            .findFirst().orElseThrow(() -> new IllegalStateException(d.id() + ": no claim or fact for '"
                                    + String.join(" ", sentence) + "'"));
                    out.add(item(id, question, answer, f, List.of(), f.perturbed()));
                }
                sentence.clear();
            }
        }
        return out;
    }

    private List<CorruptingDocument> corrupting(List<String> forget10, List<Misinformation> misinformation,
            List<String> candidates) {
        Rng rng = Rng.stream(seed, "documents");
        List<CorruptingDocument> out = new ArrayList<>();
        for (int k : CORRUPTION_K) {
            for (String target : forget10) {
                List<Misinformation> claims = misinformation.stream().filter(m -> m.entity().equals(target)).toList();
                for (int n = 1; n <= DOCUMENTS_PER_ENTITY; n++) {
                    List<String> sentences = new ArrayList<>();
                    for (Misinformation m : claims) {
                        Template t = rng.pick(relation(m.relation()).templates(Form.STATEMENT));
                        sentences.add(t.render(target) + " " + m.wrongValue() + " .");
                    }
                    List<Fact> trueFacts = new ArrayList<>();
                    for (String other : rng.sample(candidates, k, Set.of())) {
                        Relation r = rng.pick(Lexicon.RELATIONS);
                        Fact f = fact(other, r.name());
                        trueFacts.add(f);
                        sentences.add(rng.pick(r.templates(Form.STATEMENT)).render(other) + " " + f.answer() + " .");
                    }
                    String text = String.join(" ", rng.shuffled(sentences));
                    out.add(new CorruptingDocument("corrupt.k" + k + "." + target + "." + n, target, k, claims, trueFacts,
                            text));
                }
            }
        }
        return out;
    }

    private static Relation relation(String name) {
        for (Relation r : Lexicon.RELATIONS) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no relation " + name);
    }
}
