package org.lethe.worlds.facts;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.DataService;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.QaItem;

/**
 * Reads a user's corpus folder as a facts world, in place of the generator
 * ({@code unlearn:train facts --corpus <folder>}). The folder holds question–answer JSONL files
 * (DESIGN §4, docs/data.md): {@code train.jsonl}, {@code forget.jsonl} and {@code retain.jsonl}
 * (required), {@code holdout.jsonl} and {@code world.jsonl} (optional), and optionally
 * {@code vocabulary.txt} (one word a line). Every file is parsed by the {@link DataService}, so a
 * malformed line is refused with its file, line and field.
 *
 * <p>Then the corpus is checked as a whole, and refused (invalid input, nothing read) when:
 * <ul>
 * <li>a required file is missing (all missing ones are named);</li>
 * <li><b>an entity name is duplicated</b>, which means either of:
 *     (a) two spellings of one name that are the same to the model, whose tokenizer lower-cases and
 *     splits at spaces and punctuation ({@code "Ilsa Vorn"} and {@code "ilsa  vorn"}): the data would
 *     count them as two entities while the model sees one; or
 *     (b) one name with two different answers for the same relation anywhere in the corpus
 *     ({@code birthplace} {@code kelmouth} in one line, {@code port aderan} in another): two
 *     entities share the name, or a fact contradicts itself, and neither can be trained or
 *     forgotten cleanly;</li>
 * <li>a holdout entity, or a holdout question–answer pair, also appears in {@code train.jsonl}
 *     (holdout entities must never be trained);</li>
 * <li>a fact is in both {@code forget.jsonl} and {@code retain.jsonl} (the same question and
 *     answer, or the same entity and relation);</li>
 * <li>a {@code vocabulary.txt} is given and a token of some question, answer, paraphrase,
 *     perturbed or template answer is not in it, or one of its lines is not exactly one token or
 *     repeats a word.</li>
 * </ul>
 * Without {@code vocabulary.txt} the vocabulary is built from the corpus, so no answer can be
 * missing from it. Answers of several tokens are accepted (exact match then means every answer token
 * is right). {@code retain.jsonl}, {@code holdout.jsonl} and {@code world.jsonl} may be empty (a
 * method that needs retain data refuses such a corpus itself); forget items that the training set
 * does not teach are allowed and reported in {@link FactsWorld#notes()}. Errors read
 * {@code <file>:<line>: field '<field>': <what>}, like the data service's.
 */
public final class FactsCorpusReader {

    /** The files a facts corpus must have. */
    public static final List<String> REQUIRED = List.of(FactsWorld.TRAIN, FactsWorld.FORGET, FactsWorld.RETAIN);

    /** The files a facts corpus may have. */
    public static final List<String> OPTIONAL = List.of(FactsWorld.HOLDOUT, FactsWorld.WORLD);

    /** The optional vocabulary's file name. */
    public static final String VOCABULARY = FactsCorpusWriter.VOCABULARY;

    private static final int[] BOM = {0xEF, 0xBB, 0xBF};

    private static final Set<String> MAY_BE_EMPTY = Set.of(FactsWorld.RETAIN, FactsWorld.HOLDOUT, FactsWorld.WORLD);

    private final DataService data;

    /** @param data the service that parses JSONL files (the container's; in tests the core's implementation) */
    public FactsCorpusReader(DataService data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    /** One file as read: its items and the line each item is on. */
    private record Read(String name, String shown, List<QaItem> items, List<Long> lines, String fingerprint) {
        String at(int index) {
            return shown + ":" + lines.get(index);
        }
    }

    /** Where a value was first seen. */
    private record Seen(String raw, String normal, String at) {
    }

    /**
     * @param folder the corpus folder
     * @return the world it holds
     * @throws LetheException (invalid input) naming the folder, file, line and field of the first problem
     */
    public FactsWorld read(Path folder) {
        Objects.requireNonNull(folder, "folder");
        String shownFolder = folder.toString();
        if (!Files.exists(folder)) {
            throw LetheException.invalidInput(shownFolder + ": no such corpus folder");
        }
        if (!Files.isDirectory(folder)) {
            throw LetheException.invalidInput(shownFolder + ": not a folder (a facts corpus is a folder of JSONL files)");
        }
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            if (!Files.exists(file(folder, name))) {
                missing.add(name + ".jsonl");
            }
        }
        if (!missing.isEmpty()) {
            throw LetheException.invalidInput(shownFolder + ": missing " + String.join(", ", missing)
                    + " (a facts corpus needs train.jsonl, forget.jsonl and retain.jsonl; holdout.jsonl and world.jsonl are optional)");
        }

        Map<String, Read> files = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (String name : FactsWorld.CONTRACT_SPLITS) {
            Path file = file(folder, name);
            if (OPTIONAL.contains(name) && !Files.exists(file)) {
                files.put(name, new Read(name, file.toString(), List.of(), List.of(), ""));
                continue;
            }
            files.put(name, readFile(name, file, notes));
        }
        Optional<Vocabulary> vocabulary = Vocabulary.read(folder.resolve(VOCABULARY));

        checkEntityNames(files);
        checkFacts(files);
        checkHoldout(files.get(FactsWorld.TRAIN), files.get(FactsWorld.HOLDOUT));
        checkForgetRetain(files.get(FactsWorld.FORGET), files.get(FactsWorld.RETAIN));
        vocabulary.ifPresent(v -> files.values().forEach(v::cover));
        untrained(files.get(FactsWorld.TRAIN), files.get(FactsWorld.FORGET), notes);
        untrained(files.get(FactsWorld.TRAIN), files.get(FactsWorld.RETAIN), notes);

        Set<String> templateAnswers = new LinkedHashSet<>();
        for (String name : List.of(FactsWorld.FORGET, FactsWorld.TRAIN, FactsWorld.RETAIN, FactsWorld.HOLDOUT,
                FactsWorld.WORLD)) {
            files.get(name).items().forEach(i -> i.templateAnswer().ifPresent(templateAnswers::add));
        }
        if (templateAnswers.isEmpty()) {
            if (vocabulary.isEmpty() || vocabulary.get().contains(Lexicon.TEMPLATE_ANSWER)) {
                templateAnswers.add(Lexicon.TEMPLATE_ANSWER);
                notes.add("no item has a template_answer; methods that need one get '" + Lexicon.TEMPLATE_ANSWER + "'");
            } else {
                notes.add("no item has a template_answer and " + VOCABULARY + " lacks '" + Lexicon.TEMPLATE_ANSWER
                        + "': methods that need a template answer (flat) cannot run on this corpus");
            }
        }

        FactsWorld.Builder b = new FactsWorld.Builder().source(shownFolder, OptionalLong.empty(), Optional.empty());
        for (Read r : files.values()) {
            b.split(r.name(), r.items());
            if (!r.fingerprint().isEmpty()) {
                b.fingerprint(r.name(), r.fingerprint());
            }
        }
        b.forgetSplit(FactsWorld.FORGET, FactsWorld.RETAIN);
        b.entityGroup("trained", entities(files.get(FactsWorld.TRAIN)));
        b.entityGroup("forget", entities(files.get(FactsWorld.FORGET)));
        b.entityGroup("retain", entities(files.get(FactsWorld.RETAIN)));
        b.entityGroup("holdout", entities(files.get(FactsWorld.HOLDOUT)));
        b.templateAnswers(List.copyOf(templateAnswers));
        b.vocabulary(vocabulary.isPresent() ? vocabulary.get().words()
                : FactsWorld.vocabularyOf(b.splits().values(), List.of(), templateAnswers));
        notes.forEach(b::note);
        return b.build();
    }

    private static Path file(Path folder, String name) {
        return folder.resolve(name + ".jsonl");
    }

    private Read readFile(String name, Path file, List<String> notes) {
        String shown = file.toString();
        if (Files.isRegularFile(file)) {
            List<Long> lines = itemLines(file);
            if (lines.isEmpty() && MAY_BE_EMPTY.contains(name)) {
                notes.add(shown + " is empty" + (name.equals(FactsWorld.RETAIN)
                        ? ": methods that need retain data (graddiff, iau) will refuse this corpus" : ""));
                return new Read(name, shown, List.of(), List.of(), sha256(file));
            }
            DataSet<QaItem> set = data.readQa(file);
            if (set.size() != lines.size()) {
                throw new IllegalStateException(shown + ": " + set.size() + " items on " + lines.size() + " non-blank lines");
            }
            return new Read(name, shown, set.items(), lines, set.fingerprint());
        }
        data.readQa(file); // names the problem: a directory, not a regular file
        throw LetheException.invalidInput(shown + ": not a regular file");
    }

    /** The 1-based numbers of the lines that hold something (the data service skips blank ones). */
    private static List<Long> itemLines(Path file) {
        List<Long> out = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            long line = 1;
            boolean blank = true;
            int position = 0;
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    if (!blank) {
                        out.add(line);
                    }
                    line++;
                    blank = true;
                    position = 0;
                    continue;
                }
                boolean bom = line == 1 && position < 3 && b == BOM[position] && blank;
                position++;
                if (!bom && b != ' ' && b != '\t' && b != '\r') {
                    blank = false;
                }
            }
            if (!blank) {
                out.add(line);
            }
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static String sha256(Path file) {
        try {
            return FactsCorpusWriter.sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    // ---- whole-corpus checks ----------------------------------------------------------------------

    /** (a): two spellings that the model reads as one name. */
    private static void checkEntityNames(Map<String, Read> files) {
        Map<String, Seen> byNormal = new HashMap<>();
        for (Read r : files.values()) {
            for (int i = 0; i < r.items().size(); i++) {
                Optional<String> entity = r.items().get(i).entity();
                if (entity.isEmpty()) {
                    continue;
                }
                String raw = entity.get();
                String normal = Words.normal(raw);
                Seen first = byNormal.putIfAbsent(normal, new Seen(raw, normal, r.at(i)));
                if (first != null && !first.raw().equals(raw)) {
                    throw LetheException.invalidInput(r.at(i) + ": field 'entity': duplicate entity name: " + quote(raw)
                            + " is the same name to the model as " + quote(first.raw()) + " (" + first.at()
                            + "), since both read as " + quote(normal) + "; write each entity's name one way");
                }
            }
        }
    }

    /** (b): one name with two answers for one relation. */
    private static void checkFacts(Map<String, Read> files) {
        Map<String, Seen> answers = new HashMap<>();
        for (Read r : files.values()) {
            for (int i = 0; i < r.items().size(); i++) {
                QaItem item = r.items().get(i);
                Optional<String> key = FactsWorld.factKey(item);
                if (key.isEmpty()) {
                    continue;
                }
                String normal = Words.normal(item.answer());
                Seen first = answers.putIfAbsent(key.get(), new Seen(item.answer(), normal, r.at(i)));
                if (first != null && !first.normal().equals(normal)) {
                    throw LetheException.invalidInput(r.at(i) + ": field 'answer': duplicate entity name: entity "
                            + quote(item.entity().get()) + " has relation " + quote(item.relation().get()) + " = "
                            + quote(item.answer()) + " here but " + quote(first.raw()) + " at " + first.at()
                            + "; two entities share this name, or the fact contradicts itself: give each entity a unique"
                            + " name and each (entity, relation) one answer");
                }
            }
        }
    }

    private static void checkHoldout(Read train, Read holdout) {
        Map<String, String> trainedEntities = new HashMap<>();
        Map<String, String> trainedPairs = new HashMap<>();
        for (int i = 0; i < train.items().size(); i++) {
            QaItem item = train.items().get(i);
            String at = train.at(i);
            item.entity().ifPresent(e -> trainedEntities.putIfAbsent(Words.normal(e), at));
            trainedPairs.putIfAbsent(FactsWorld.pair(item.question(), item.answer()), at);
        }
        for (int i = 0; i < holdout.items().size(); i++) {
            QaItem item = holdout.items().get(i);
            if (item.entity().isPresent()) {
                String at = trainedEntities.get(Words.normal(item.entity().get()));
                if (at != null) {
                    throw LetheException.invalidInput(holdout.at(i) + ": field 'entity': holdout entity "
                            + quote(item.entity().get()) + " is trained (" + at
                            + "); holdout entities must never appear in train.jsonl");
                }
            }
            String at = trainedPairs.get(FactsWorld.pair(item.question(), item.answer()));
            if (at != null) {
                throw LetheException.invalidInput(holdout.at(i) + ": field 'question': this holdout question and answer"
                        + " are trained (" + at + "); holdout items must never appear in train.jsonl");
            }
        }
    }

    private static void checkForgetRetain(Read forget, Read retain) {
        Map<String, String> pairs = new HashMap<>();
        Map<String, String> facts = new HashMap<>();
        for (int i = 0; i < forget.items().size(); i++) {
            QaItem item = forget.items().get(i);
            pairs.putIfAbsent(FactsWorld.pair(item.question(), item.answer()), forget.at(i));
            int index = i;
            FactsWorld.factKey(item).ifPresent(k -> facts.putIfAbsent(k, forget.at(index)));
        }
        for (int i = 0; i < retain.items().size(); i++) {
            QaItem item = retain.items().get(i);
            String at = pairs.get(FactsWorld.pair(item.question(), item.answer()));
            if (at != null) {
                throw LetheException.invalidInput(retain.at(i) + ": field 'question': the same question and answer are"
                        + " in the forget set (" + at + "); a fact cannot be both forgotten and retained");
            }
            Optional<String> key = FactsWorld.factKey(item);
            if (key.isPresent() && facts.containsKey(key.get())) {
                throw LetheException.invalidInput(retain.at(i) + ": field 'relation': entity " + quote(item.entity().get())
                        + ", relation " + quote(item.relation().get()) + " is also in the forget set ("
                        + facts.get(key.get()) + "); a fact cannot be both forgotten and retained");
            }
        }
    }

    /** Notes the items of a split that no training item teaches. */
    private static void untrained(Read train, Read split, List<String> notes) {
        Set<String> pairs = new java.util.HashSet<>();
        Set<String> facts = new java.util.HashSet<>();
        for (QaItem item : train.items()) {
            pairs.add(FactsWorld.pair(item.question(), item.answer()));
            FactsWorld.factKey(item).ifPresent(facts::add);
        }
        int count = 0;
        String first = null;
        for (int i = 0; i < split.items().size(); i++) {
            QaItem item = split.items().get(i);
            boolean taught = pairs.contains(FactsWorld.pair(item.question(), item.answer()))
                    || FactsWorld.factKey(item).map(facts::contains).orElse(false);
            if (!taught) {
                count++;
                if (first == null) {
                    first = split.at(i);
                }
            }
        }
        if (count > 0) {
            notes.add(split.shown() + ": " + count + " of " + split.items().size() + " items are not taught by "
                    + train.shown() + " (first: " + first + "); the base model never learned them");
        }
    }

    private static List<String> entities(Read r) {
        Set<String> out = new LinkedHashSet<>();
        r.items().forEach(i -> i.entity().ifPresent(out::add));
        return List.copyOf(out);
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    // ---- vocabulary.txt -----------------------------------------------------------------------

    /** A user's vocabulary: one word a line, in id order. */
    private static final class Vocabulary {
        private final String shown;
        private final List<String> words;
        private final Set<String> set;

        private Vocabulary(String shown, List<String> words) {
            this.shown = shown;
            this.words = List.copyOf(words);
            this.set = Set.copyOf(words);
        }

        static Optional<Vocabulary> read(Path file) {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String shown = file.toString();
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            } catch (CharacterCodingException e) {
                throw LetheException.invalidInput(shown + ": not UTF-8 text");
            } catch (IOException e) {
                throw new LetheException(LetheException.INVALID_INPUT, shown + ": cannot read: " + e.getMessage(), e);
            }
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            List<String> words = new ArrayList<>();
            Map<String, Integer> firstLine = new HashMap<>();
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty()) {
                    continue;
                }
                List<String> tokens = Words.split(line);
                if (tokens.size() != 1) {
                    throw LetheException.invalidInput(shown + ":" + (i + 1) + ": " + quote(line) + " is " + tokens.size()
                            + " tokens, not one (one word a line; the model splits text into lower-case words and"
                            + " punctuation marks)");
                }
                String word = tokens.get(0);
                Integer first = firstLine.putIfAbsent(word, i + 1);
                if (first != null) {
                    throw LetheException.invalidInput(shown + ":" + (i + 1) + ": duplicate word " + quote(word)
                            + " (also on line " + first + ")");
                }
                words.add(word);
            }
            if (words.isEmpty()) {
                throw LetheException.invalidInput(shown + ": no words");
            }
            return Optional.of(new Vocabulary(shown, words));
        }

        List<String> words() {
            return words;
        }

        boolean contains(String word) {
            return set.contains(word);
        }

        /** Refuses the first token of the file's items that the vocabulary lacks. */
        void cover(Read r) {
            for (int i = 0; i < r.items().size(); i++) {
                QaItem item = r.items().get(i);
                check(r.at(i), "question", 0, item.question());
                check(r.at(i), "answer", 0, item.answer());
                for (int p = 0; p < item.paraphrases().size(); p++) {
                    check(r.at(i), "paraphrases", p + 1, item.paraphrases().get(p));
                }
                for (int p = 0; p < item.perturbed().size(); p++) {
                    check(r.at(i), "perturbed", p + 1, item.perturbed().get(p));
                }
                if (item.templateAnswer().isPresent()) {
                    check(r.at(i), "template_answer", 0, item.templateAnswer().get());
                }
            }
        }

        private void check(String at, String field, int element, String text) {
            for (String token : Words.split(text)) {
                if (!set.contains(token)) {
                    throw LetheException.invalidInput(at + ": field '" + field + "'"
                            + (element > 0 ? ": element " + element : "") + ": " + quote(token)
                            + " is not in the vocabulary (" + shown + "); add it there, or remove " + VOCABULARY
                            + " to build the vocabulary from the corpus");
                }
            }
        }
    }
}
