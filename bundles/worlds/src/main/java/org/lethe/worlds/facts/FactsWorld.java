package org.lethe.worlds.facts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.lethe.api.LetheException;
import org.lethe.api.data.Document;
import org.lethe.api.data.QaItem;

/**
 * The facts world in memory, generated from a seed ({@link FactsGenerator}) or read from a user's
 * corpus folder ({@link FactsCorpusReader}); the same structure either way. What a training recipe
 * needs is here as lists: {@link #baseTraining()} (the question–answer sequences of the base model)
 * and {@link #goldTraining(String)} (the same without a forget split's facts: the gold reference),
 * with the {@link #vocabulary()} a model for exactly this world is built with.
 *
 * <p>Every world has the five splits of the corpus contract (DESIGN §4): {@value #TRAIN},
 * {@value #FORGET}, {@value #RETAIN}, {@value #HOLDOUT} and {@value #WORLD} (the last two may be
 * empty in a user's corpus). A generated world has many more ({@link #splitNames()}): forget01,
 * forget05, forget10 with their retain99/95/90, paraphrase splits, question- and statement-form
 * splits, rumours, the probes' splits; and documents ({@link #documentNames()}). Generator-only
 * structure ({@link #facts()}, {@link #misinformation()}, {@link #siblings()}, ...) is empty for a corpus.
 *
 * <p>Immutable and thread-safe.
 */
public final class FactsWorld {

    /** The training set: every sequence the base model learns. */
    public static final String TRAIN = "train";
    /** The default forget split (a generated world's is forget10). */
    public static final String FORGET = "forget";
    /** The default retain split: everything trained that is neither forgotten nor a world fact. */
    public static final String RETAIN = "retain";
    /** Facts of entities that are never trained (shaped like the forget split). */
    public static final String HOLDOUT = "holdout";
    /** Utility facts independent of the entities (country → capital). */
    public static final String WORLD = "world";
    /** The five splits of the corpus contract, in order. */
    public static final List<String> CONTRACT_SPLITS = List.of(TRAIN, FORGET, RETAIN, HOLDOUT, WORLD);

    private final String source;
    private final OptionalLong seed;
    private final Optional<FactsSpec> spec;
    private final Map<String, List<QaItem>> splits;
    private final Map<String, List<Document>> documents;
    private final Map<String, String> retainOf;
    private final List<String> vocabulary;
    private final List<String> templateAnswers;
    private final Map<String, List<String>> entityGroups;
    private final List<Fact> facts;
    private final List<Misinformation> misinformation;
    private final List<CorruptingDocument> corruptingDocuments;
    private final Map<String, String> siblings;
    private final Map<String, String> fingerprints;
    private final List<String> notes;
    private volatile Map<String, String> rendered;

    private FactsWorld(Builder b) {
        this.source = Objects.requireNonNull(b.source, "source");
        this.seed = b.seed;
        this.spec = b.spec;
        this.splits = freeze(b.splits);
        this.documents = freeze(b.documents);
        this.retainOf = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.retainOf));
        this.vocabulary = List.copyOf(b.vocabulary);
        this.templateAnswers = List.copyOf(b.templateAnswers);
        this.entityGroups = freeze(b.entityGroups);
        this.facts = List.copyOf(b.facts);
        this.misinformation = List.copyOf(b.misinformation);
        this.corruptingDocuments = List.copyOf(b.corruptingDocuments);
        this.siblings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.siblings));
        this.fingerprints = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.fingerprints));
        this.notes = List.copyOf(b.notes);
        for (String name : CONTRACT_SPLITS) {
            if (!splits.containsKey(name)) {
                throw new IllegalStateException("a facts world needs the split " + name);
            }
        }
        for (Map.Entry<String, String> e : retainOf.entrySet()) {
            if (!splits.containsKey(e.getKey()) || !splits.containsKey(e.getValue())) {
                throw new IllegalStateException("forget split " + e.getKey() + " or its retain split is missing");
            }
        }
    }

    private static <T> Map<String, List<T>> freeze(Map<String, List<T>> in) {
        Map<String, List<T>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** @return where the world came from: {@code generator (seed 7)} or the corpus folder */
    public String source() {
        return source;
    }

    /** @return the seed it was generated from; empty for a user's corpus */
    public OptionalLong seed() {
        return seed;
    }

    /** @return the generator's sizes; empty for a user's corpus */
    public Optional<FactsSpec> spec() {
        return spec;
    }

    /** @return the names of its question–answer splits, contract splits first */
    public List<String> splitNames() {
        return List.copyOf(splits.keySet());
    }

    /**
     * @param name a split's name
     * @return whether the world has it
     */
    public boolean hasSplit(String name) {
        return splits.containsKey(name);
    }

    /**
     * @param name a split's name ({@link #splitNames()})
     * @return its items, in a fixed order
     * @throws LetheException (invalid input) naming the splits there are, when it has no such split
     */
    public List<QaItem> split(String name) {
        List<QaItem> items = splits.get(name);
        if (items == null) {
            throw LetheException.invalidInput("the facts world (" + source + ") has no split '" + name
                    + "'; its splits are " + String.join(", ", splits.keySet()));
        }
        return items;
    }

    /** @return the names of its document sets (a generated world's corrupting documents) */
    public List<String> documentNames() {
        return List.copyOf(documents.keySet());
    }

    /**
     * @param name a document set's name ({@link #documentNames()})
     * @return its documents
     * @throws LetheException (invalid input) naming the sets there are, when it has no such set
     */
    public List<Document> documents(String name) {
        List<Document> docs = documents.get(name);
        if (docs == null) {
            throw LetheException.invalidInput("the facts world (" + source + ") has no document set '" + name
                    + "'; its document sets are " + (documents.isEmpty() ? "none" : String.join(", ", documents.keySet())));
        }
        return docs;
    }

    /** @return the splits a gold reference can be trained without ({@code forget01}, ..., {@code forget}) */
    public List<String> forgetSplits() {
        return List.copyOf(retainOf.keySet());
    }

    /**
     * @param forgetSplit a forget split ({@link #forgetSplits()})
     * @return the name of its retain split (the trained rest, world facts excluded)
     */
    public String retainSplit(String forgetSplit) {
        requireForget(forgetSplit);
        return retainOf.get(forgetSplit);
    }

    /** @return the training sequences (question + answer) of the base model: the {@value #TRAIN} split */
    public List<QaItem> baseTraining() {
        return split(TRAIN);
    }

    /**
     * The training sequences of the gold reference for a forget split: {@link #baseTraining()}
     * without every item that teaches one of the split's facts. An item is left out when its
     * question and answer are, to the model, those of a forget item (question or paraphrase), or
     * when it names the same entity and relation as a forget item. For a generated world this is
     * exactly the training set minus the split's items.
     *
     * @param forgetSplit a forget split ({@link #forgetSplits()})
     * @return the sequences, in training order
     */
    public List<QaItem> goldTraining(String forgetSplit) {
        requireForget(forgetSplit);
        List<QaItem> forget = split(forgetSplit);
        Set<String> pairs = new HashSet<>();
        Set<String> forgetFacts = new HashSet<>();
        for (QaItem item : forget) {
            pairs.add(pair(item.question(), item.answer()));
            for (String p : item.paraphrases()) {
                pairs.add(pair(p, item.answer()));
            }
            factKey(item).ifPresent(forgetFacts::add);
        }
        List<QaItem> out = new ArrayList<>();
        for (QaItem item : baseTraining()) {
            boolean samePair = pairs.contains(pair(item.question(), item.answer()));
            boolean sameFact = factKey(item).map(forgetFacts::contains).orElse(false);
            if (!samePair && !sameFact) {
                out.add(item);
            }
        }
        return out;
    }

    static String pair(String question, String answer) {
        return Words.normal(question) + "\u0000" + Words.normal(answer);
    }

    static Optional<String> factKey(QaItem item) {
        if (item.entity().isEmpty() || item.relation().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Words.normal(item.entity().get()) + "\u0000" + item.relation().get());
    }

    private void requireForget(String forgetSplit) {
        if (!retainOf.containsKey(forgetSplit)) {
            throw LetheException.invalidInput("the facts world (" + source + ") has no forget split '" + forgetSplit
                    + "'; its forget splits are " + String.join(", ", retainOf.keySet()));
        }
    }

    /**
     * The words a model for this world needs: every token of every split and document (questions,
     * answers, paraphrases, perturbed and template answers), markers excluded. A generated world's is
     * sorted; a corpus's is its {@code vocabulary.txt} in file order when it has one, else sorted.
     *
     * @return the vocabulary, each word one token, lower case, no duplicates
     */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** @return "I don't know"-style answers, single-token {@code unknown} first where the world uses it */
    public List<String> templateAnswers() {
        return templateAnswers;
    }

    /**
     * @return the entity groups, by name: a generated world has {@code trained}, {@code holdout},
     *     {@code forget01}, {@code forget05}, {@code forget10}, {@code retain}, and the probes'
     *     {@code bridges} (siblings of forget entities), {@code teachers}, {@code teacher_siblings},
     *     {@code controls}, {@code control_siblings}; a corpus has {@code trained}, {@code forget},
     *     {@code retain} and {@code holdout}
     */
    public Map<String, List<String>> entityGroups() {
        return entityGroups;
    }

    /**
     * @param group a group's name ({@link #entityGroups()})
     * @return its entity names
     */
    public List<String> entities(String group) {
        List<String> names = entityGroups.get(group);
        if (names == null) {
            throw LetheException.invalidInput("the facts world has no entity group '" + group + "'; its groups are "
                    + String.join(", ", entityGroups.keySet()));
        }
        return names;
    }

    /**
     * @return a generated world's facts: every entity's six (holdout entities included), the
     *     sibling facts and the world facts; empty for a corpus
     */
    public List<Fact> facts() {
        return facts;
    }

    /**
     * @param entity a subject
     * @param relation a relation's name
     * @return its fact in a generated world, if there is one
     */
    public Optional<Fact> fact(String entity, String relation) {
        return facts.stream().filter(f -> f.entity().equals(entity) && f.relation().equals(relation)).findFirst();
    }

    /** @return a generated world's misinformation about its forget10 entities (2 or 3 relations each) */
    public List<Misinformation> misinformation() {
        return misinformation;
    }

    /** @return a generated world's corrupting documents, k = 0 then k = 2 */
    public List<CorruptingDocument> corruptingDocuments() {
        return corruptingDocuments;
    }

    /** @return a generated world's sibling pairs: bridge entity → its sibling */
    public Map<String, String> siblings() {
        return siblings;
    }

    /**
     * @return the SHA-256 of each split's and document set's file as read (a corpus), or as
     *     {@link FactsCorpusWriter} writes it (a generated world), by split name
     */
    public Map<String, String> fingerprints() {
        if (!fingerprints.isEmpty()) {
            return fingerprints;
        }
        Map<String, String> out = rendered;
        if (out == null) {
            out = java.util.Collections.unmodifiableMap(FactsCorpusWriter.fingerprints(this));
            rendered = out;
        }
        return out;
    }

    /** @return what a reader should know: e.g. forget items that were never trained, an empty retain set */
    public List<String> notes() {
        return notes;
    }

    /** @return the most tokens an answer has (1 in a generated world) */
    public int maxAnswerTokens() {
        int max = 0;
        for (List<QaItem> items : splits.values()) {
            for (QaItem item : items) {
                max = Math.max(max, Words.split(item.answer()).size());
            }
        }
        return max;
    }

    /**
     * @return the longest question-and-answer sequence in tokens, markers excluded, over every split
     *     (questions and paraphrases with the answer, a perturbed answer or the template answer,
     *     whichever is longest)
     */
    public int maxSequenceTokens() {
        int max = 0;
        for (List<QaItem> items : splits.values()) {
            for (QaItem item : items) {
                int answer = Words.split(item.answer()).size();
                for (String p : item.perturbed()) {
                    answer = Math.max(answer, Words.split(p).size());
                }
                if (item.templateAnswer().isPresent()) {
                    answer = Math.max(answer, Words.split(item.templateAnswer().get()).size());
                }
                int question = Words.split(item.question()).size();
                for (String p : item.paraphrases()) {
                    question = Math.max(question, Words.split(p).size());
                }
                max = Math.max(max, question + answer);
            }
        }
        return max;
    }

    /** @return the longest document in tokens (0 without documents) */
    public int maxDocumentTokens() {
        int max = 0;
        for (List<Document> docs : documents.values()) {
            for (Document d : docs) {
                max = Math.max(max, Words.split(d.text()).size());
            }
        }
        return max;
    }

    /**
     * @param splits question–answer splits
     * @param documents document sets
     * @param extra more phrases (template answers)
     * @return every token they use, sorted
     */
    static List<String> vocabularyOf(Collection<List<QaItem>> splits, Collection<List<Document>> documents,
            Collection<String> extra) {
        Set<String> texts = new HashSet<>();
        for (List<QaItem> items : splits) {
            for (QaItem item : items) {
                texts.addAll(texts(item));
            }
        }
        for (List<Document> docs : documents) {
            for (Document d : docs) {
                texts.add(d.text());
            }
        }
        texts.addAll(extra);
        Set<String> words = new TreeSet<>();
        for (String text : texts) {
            words.addAll(Words.split(text));
        }
        return List.copyOf(words);
    }

    /** @return the item's texts a model reads or writes: question, answer, paraphrases, perturbed, template answer */
    static List<String> texts(QaItem item) {
        List<String> out = new ArrayList<>();
        out.add(item.question());
        out.add(item.answer());
        out.addAll(item.paraphrases());
        out.addAll(item.perturbed());
        item.templateAnswer().ifPresent(out::add);
        return out;
    }

    @Override
    public String toString() {
        return "facts world from " + source + ": " + entityGroups.getOrDefault("trained", List.of()).size()
                + " trained entities, " + split(TRAIN).size() + " training sequences, vocabulary " + vocabulary.size();
    }

    /** Assembles a world; used by the generator and the corpus reader. */
    static final class Builder {
        private String source;
        private OptionalLong seed = OptionalLong.empty();
        private Optional<FactsSpec> spec = Optional.empty();
        private final Map<String, List<QaItem>> splits = new LinkedHashMap<>();
        private final Map<String, List<Document>> documents = new LinkedHashMap<>();
        private final Map<String, String> retainOf = new LinkedHashMap<>();
        private List<String> vocabulary = List.of();
        private List<String> templateAnswers = List.of();
        private final Map<String, List<String>> entityGroups = new LinkedHashMap<>();
        private List<Fact> facts = List.of();
        private List<Misinformation> misinformation = List.of();
        private List<CorruptingDocument> corruptingDocuments = List.of();
        private Map<String, String> siblings = Map.of();
        private final Map<String, String> fingerprints = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();

        Builder source(String source, OptionalLong seed, Optional<FactsSpec> spec) {
            this.source = source;
            this.seed = seed;
            this.spec = spec;
            return this;
        }

        Builder split(String name, List<QaItem> items) {
            if (splits.put(name, items) != null) {
                throw new IllegalStateException("split " + name + " given twice");
            }
            return this;
        }

        Map<String, List<QaItem>> splits() {
            return splits;
        }

        Builder documents(String name, List<Document> docs) {
            documents.put(name, docs);
            return this;
        }

        Map<String, List<Document>> documents() {
            return documents;
        }

        Builder forgetSplit(String forget, String retain) {
            retainOf.put(forget, retain);
            return this;
        }

        Builder vocabulary(List<String> words) {
            this.vocabulary = words;
            return this;
        }

        Builder templateAnswers(List<String> answers) {
            this.templateAnswers = answers;
            return this;
        }

        Builder entityGroup(String name, List<String> names) {
            entityGroups.put(name, names);
            return this;
        }

        Builder facts(List<Fact> facts) {
            this.facts = facts;
            return this;
        }

        Builder misinformation(List<Misinformation> misinformation) {
            this.misinformation = misinformation;
            return this;
        }

        Builder corruptingDocuments(List<CorruptingDocument> docs) {
            this.corruptingDocuments = docs;
            return this;
        }

        Builder siblings(Map<String, String> siblings) {
            this.siblings = siblings;
            return this;
        }

        Builder fingerprint(String name, String sha256) {
            fingerprints.put(name, sha256);
            return this;
        }

        Builder note(String note) {
            notes.add(note);
            return this;
        }

        FactsWorld build() {
            return new FactsWorld(this);
        }
    }
}
