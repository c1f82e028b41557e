package org.lethe.evaluation.probes;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;
import org.lethe.evaluation.scoring.ItemKeys;
import org.osgi.service.component.annotations.Component;

/**
 * Prompt attacks on forgotten facts (research/methods-llm.md §2.3): Sleek's step-by-step attack
 * (arXiv 2506.17279) adapted to a model that follows no instructions, OFFSIDE's "all methods are
 * vulnerable to prompt attacks" (arXiv 2510.22535), and in-context reintroduction (Shumailov et al.
 * 2024, "UnUnlearning": a fact stated in the context can be used again however well it was
 * unlearned). No training: the model is only read.
 *
 * <p>Attack kinds, each scored by exact match of the forgotten answer ({@value #ATTACK_SUCCESS},
 * split = the kind, lower is better):
 * <ul>
 * <li>{@value #PARAPHRASE}: the {@value Roles#FORGET_PARAPHRASED} items (the forget facts under
 *     templates never trained for them);</li>
 * <li>{@value #DIRECT}: Sleek's direct category, step by step: for each forget fact (the forget items
 *     sharing an entity and relation; an item without them is a fact of its own), its shortest
 *     question-form rendering followed by its shortest statement-form rendering, e.g. {@code where
 *     was tabemo born ? tabemo grew up in} → {@code ashbury}. A rendering is question-form when it
 *     ends with {@code ?}; renderings are the items' questions first, then their paraphrases, and
 *     must name the entity when there is one. With only one form, the two shortest renderings are
 *     chained; a fact with a single rendering has no direct prompt;</li>
 * <li>{@value #INDIRECT}: the {@value Roles#TWO_HOP} items (two hops through a retained bridge
 *     entity);</li>
 * <li>{@value #IMPLIED}: the {@value Roles#IMPLIED} items (the fact presupposed);</li>
 * <li>{@value #IN_CONTEXT}: each forget item's question preceded by the fact stated in the context,
 *     {@code <statement> <answer> . <question>}, the statement being the fact's shortest
 *     statement-form rendering, or, when that does not fit the model (or there is none), the item's
 *     own question ({@code q a . q}).</li>
 * </ul>
 * A prompt that, with its answer, does not fit the model's {@link LanguageModel#maxLength()} is
 * left out; {@value #COVERAGE} (neutral) reports per kind the share of the kind's items (facts, for
 * {@value #DIRECT}) that produced a prompt, so a skipped item is never silent.
 *
 * <p>Unfair suppression (Sleek's second finding) is measured on control prompts of the same shape
 * about entities that were not forgotten: {@value #SUPPRESSION} (split = the kind, higher is better)
 * is the exact match on {@value Roles#RETAIN_PARAPHRASED} ({@value #PARAPHRASE}), {@value
 * Roles#TWO_HOP_CONTROL} ({@value #INDIRECT}) and {@value Roles#IMPLIED_CONTROL} ({@value #IMPLIED});
 * suppression shows as a drop against the original model's row.
 *
 * <p>Only {@value Roles#FORGET} is required; a kind whose role the task lacks is left out (and
 * logged).
 */
@Component(service = Probe.class,
        property = {ServiceProperties.PROBE + "=" + PromptAttacks.NAME,
            ServiceProperties.METRIC_VERSION + "=" + PromptAttacks.VERSION,
            ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class PromptAttacks implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "prompt-attacks";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Exact match of the forgotten answer under an attack: {@value}. */
    public static final String ATTACK_SUCCESS = "attack-success";
    /** Share of a kind's items that produced a prompt fitting the model: {@value}. */
    public static final String COVERAGE = "attack-coverage";
    /** Exact match on the control prompts of a kind (entities not forgotten): {@value}. */
    public static final String SUPPRESSION = "control-exact-match";
    /** Paraphrased questions: {@value}. */
    public static final String PARAPHRASE = "paraphrase";
    /** Question then statement of the same fact: {@value}. */
    public static final String DIRECT = "direct";
    /** Two-hop questions through a bridge entity: {@value}. */
    public static final String INDIRECT = "indirect";
    /** Questions that presuppose the fact: {@value}. */
    public static final String IMPLIED = "implied";
    /** The fact stated in the context before the question: {@value}. */
    public static final String IN_CONTEXT = "in-context";

    @Override
    public List<MetricResult> probe(Task task, RunContext run) {
        FineTuning.require(task, NAME, Roles.FORGET);
        LanguageModel lm = task.model(LanguageModel.class);
        List<QaItem> forget = task.qa(Roles.FORGET).items();
        List<MetricResult> out = new ArrayList<>();
        attack(lm, run, PARAPHRASE, role(task, Roles.FORGET_PARAPHRASED), out);
        control(lm, run, PARAPHRASE, role(task, Roles.RETAIN_PARAPHRASED), out);
        attack(lm, run, DIRECT, Optional.of(direct(lm, forget)), out);
        attack(lm, run, INDIRECT, role(task, Roles.TWO_HOP), out);
        control(lm, run, INDIRECT, role(task, Roles.TWO_HOP_CONTROL), out);
        attack(lm, run, IMPLIED, role(task, Roles.IMPLIED), out);
        control(lm, run, IMPLIED, role(task, Roles.IMPLIED_CONTROL), out);
        attack(lm, run, IN_CONTEXT, Optional.of(inContext(lm, forget)), out);
        return out;
    }

    /**
     * Prompts of one kind.
     *
     * @param source what they were built from (a role, or how they were built)
     * @param ids one id per prompt (an item's id, or a fact's {@code entity.relation})
     * @param prompts the prompts
     * @param answers the answers they are scored against
     * @param considered how many items (or facts) the kind considered, prompts or not
     */
    record Prompts(String source, List<String> ids, List<String> prompts, List<String> answers, int considered) {
    }

    private static Optional<Prompts> role(Task task, String role) {
        if (!task.has(role)) {
            return Optional.empty();
        }
        List<QaItem> items = task.qa(role).items();
        return Optional.of(new Prompts(role, ItemKeys.of(items),
                items.stream().map(QaItem::question).toList(), items.stream().map(QaItem::answer).toList(), items.size()));
    }

    private static void attack(LanguageModel lm, RunContext run, String kind, Optional<Prompts> prompts,
            List<MetricResult> out) {
        run.checkCancelled();
        if (prompts.isEmpty()) {
            run.log(NAME + ": no " + kind + " attack: the evaluation has no data for it");
            return;
        }
        Prompts p = prompts.get();
        Tracked tracked = Tracked.of(lm, p.ids(), p.prompts(), p.answers());
        double coverage = p.considered() == 0 ? 0.0 : (double) tracked.size() / p.considered();
        run.log(String.format("%s: %s attack from %s: %d prompts of %d items (%d do not fit the model's %d tokens)",
                NAME, kind, p.source(), tracked.size(), p.considered(), p.considered() - tracked.size(), lm.maxLength()));
        if (tracked.size() > 0) {
            out.add(tracked.once(lm, ATTACK_SUCCESS, VERSION, kind, Direction.LOWER_IS_BETTER));
        }
        out.add(new MetricResult(COVERAGE, VERSION, kind, coverage, Map.of(), Direction.NEUTRAL, false));
    }

    private static void control(LanguageModel lm, RunContext run, String kind, Optional<Prompts> prompts,
            List<MetricResult> out) {
        run.checkCancelled();
        if (prompts.isEmpty()) {
            run.log(NAME + ": no " + kind + " suppression control: the evaluation has no data for it");
            return;
        }
        Tracked tracked = Tracked.of(lm, prompts.get().ids(), prompts.get().prompts(), prompts.get().answers());
        if (tracked.size() == 0) {
            run.log(NAME + ": no " + kind + " suppression control: no item of " + prompts.get().source() + " fits the model");
            return;
        }
        out.add(tracked.once(lm, SUPPRESSION, VERSION, kind, Direction.HIGHER_IS_BETTER));
    }

    /**
     * The direct, step-by-step prompts: per fact, question-form then statement-form rendering.
     *
     * @param lm the model (its tokenizer measures the renderings, its length limit decides what fits)
     * @param forget the forget items
     * @return one prompt per fact that has two renderings and fits the model
     */
    static Prompts direct(LanguageModel lm, List<QaItem> forget) {
        Map<String, List<QaItem>> facts = facts(forget);
        List<String> ids = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        try (NDManager scope = lm.model().getNDManager().newSubManager()) {
            for (Map.Entry<String, List<QaItem>> fact : facts.entrySet()) {
                String answer = fact.getValue().get(0).answer();
                List<String> renderings = renderings(lm, fact.getValue());
                Optional<String> question = renderings.stream().filter(PromptAttacks::isQuestion).findFirst();
                Optional<String> statement = renderings.stream().filter(r -> !isQuestion(r)).findFirst();
                String prompt;
                if (question.isPresent() && statement.isPresent()) {
                    prompt = question.get() + " " + statement.get();
                } else if (renderings.size() >= 2) {
                    prompt = renderings.get(0) + " " + renderings.get(1);
                } else {
                    continue;
                }
                if (ProbeScoring.fits(lm, scope, prompt, answer)) {
                    ids.add(fact.getKey());
                    prompts.add(prompt);
                    answers.add(answer);
                }
            }
        }
        return new Prompts(Roles.FORGET + " (question, then statement, of each fact)", ids, prompts, answers, facts.size());
    }

    /**
     * The in-context prompts: per forget item, the fact stated, then the item's question.
     *
     * @param lm the model
     * @param forget the forget items
     * @return one prompt per item whose prompt fits the model
     */
    static Prompts inContext(LanguageModel lm, List<QaItem> forget) {
        Map<String, List<QaItem>> facts = facts(forget);
        List<String> keys = ItemKeys.of(forget);
        List<String> ids = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        try (NDManager scope = lm.model().getNDManager().newSubManager()) {
            for (int index = 0; index < forget.size(); index++) {
                QaItem item = forget.get(index);
                List<String> contexts = new ArrayList<>();
                renderings(lm, facts.get(factKey(item))).stream().filter(r -> !isQuestion(r)).findFirst()
                        .ifPresent(contexts::add);
                contexts.add(item.question());
                for (String context : contexts) {
                    String prompt = context + " " + item.answer() + " . " + item.question();
                    if (ProbeScoring.fits(lm, scope, prompt, item.answer())) {
                        ids.add(keys.get(index));
                        prompts.add(prompt);
                        answers.add(item.answer());
                        break;
                    }
                }
            }
        }
        return new Prompts(Roles.FORGET + " (the fact stated before each question)", ids, prompts, answers, forget.size());
    }

    /** The items by fact, in the order the facts first appear; an item's fact has its answer. */
    private static Map<String, List<QaItem>> facts(List<QaItem> items) {
        Map<String, List<QaItem>> out = new LinkedHashMap<>();
        for (QaItem item : items) {
            List<QaItem> fact = out.computeIfAbsent(factKey(item), k -> new ArrayList<>());
            if (fact.isEmpty() || fact.get(0).answer().equals(item.answer())) {
                fact.add(item);
            }
        }
        return out;
    }

    /** {@code entity.relation} when the item names both, else its id. */
    private static String factKey(QaItem item) {
        return item.entity().isPresent() && item.relation().isPresent() ? item.entity().get() + "." + item.relation().get()
                : item.id();
    }

    /**
     * A fact's renderings: its items' questions, then their paraphrases, without repeats, keeping
     * those that name the entity (when the items have one), shortest first (by the model's tokens;
     * in that order on a tie).
     */
    private static List<String> renderings(LanguageModel lm, List<QaItem> fact) {
        Set<String> all = new LinkedHashSet<>();
        fact.forEach(i -> all.add(i.question().trim()));
        fact.forEach(i -> i.paraphrases().forEach(p -> all.add(p.trim())));
        Optional<String> entity = fact.get(0).entity();
        List<String> kept = new ArrayList<>();
        for (String r : all) {
            if (entity.isEmpty() || names(r, entity.get())) {
                kept.add(r);
            }
        }
        kept.sort(Comparator.comparingInt(r -> lm.tokenizer().encode(r).length));
        return kept;
    }

    /** Whether the text names the entity as whole words (an entity may be several words). */
    private static boolean names(String text, String entity) {
        String t = " " + String.join(" ", text.toLowerCase(Locale.ROOT).trim().split("\\s+")) + " ";
        String e = " " + String.join(" ", entity.toLowerCase(Locale.ROOT).trim().split("\\s+")) + " ";
        return t.contains(e);
    }

    private static boolean isQuestion(String rendering) {
        return rendering.endsWith("?");
    }
}
