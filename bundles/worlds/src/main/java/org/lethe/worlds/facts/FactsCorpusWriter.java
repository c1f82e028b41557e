package org.lethe.worlds.facts;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.Document;
import org.lethe.api.data.QaItem;

/**
 * Writes a {@link FactsWorld} as a corpus folder in the JSONL contract of DESIGN §4 and
 * docs/data.md: one {@code <split>.jsonl} per question–answer split (the contract's
 * {@code train}, {@code forget}, {@code retain}, {@code holdout}, {@code world} and every further
 * split of the world), one per document set ({@code corrupting.jsonl}, ...), the vocabulary as
 * {@code vocabulary.txt} (one word a line, UTF-8) and {@code manifest.json} (source, seed, sizes,
 * file fingerprints, entity groups, relations and templates).
 *
 * <p>Lines are written exactly as the data service writes them: one compact object a line, fields
 * in the order {@code id, question, answer, entity, relation, paraphrases, perturbed,
 * template_answer} (documents: {@code id, text}), absent optionals and empty lists left out, UTF-8,
 * {@code \n} after every line. The bytes depend on the world only, so a seed gives the same files.
 * An empty split is not written, except {@code retain.jsonl}, which the contract requires (it is
 * then an empty file). Each file is written atomically (a temporary file moved over the target).
 */
public final class FactsCorpusWriter {

    /** The vocabulary's file name. */
    public static final String VOCABULARY = "vocabulary.txt";

    /** The manifest's file name. */
    public static final String MANIFEST = "manifest.json";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    /** Indented with {@code \n} on every platform (Jackson's default indenter uses the system's line separator). */
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private FactsCorpusWriter() {
    }

    /**
     * Writes the world into a folder (created if missing); files of the same names are replaced,
     * other files are left alone.
     *
     * @param world the world
     * @param folder the corpus folder
     * @return the files written, in writing order (the manifest last)
     * @throws LetheException (invalid input) when the folder cannot be written, naming it
     */
    public static List<Path> write(FactsWorld world, Path folder) {
        Map<String, byte[]> files = render(world);
        try {
            Files.createDirectories(folder);
            List<Path> written = new java.util.ArrayList<>();
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path target = folder.resolve(e.getKey());
                atomicWrite(target, e.getValue());
                written.add(target);
            }
            return written;
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, folder + ": cannot write the facts corpus: " + e, e);
        }
    }

    /**
     * The folder's content without writing it: every file's name and bytes, in writing order
     * (question–answer splits, document sets, {@value #VOCABULARY}, {@value #MANIFEST} last).
     *
     * @param world the world
     * @return file name → bytes
     */
    public static Map<String, byte[]> render(FactsWorld world) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, String> sha = new LinkedHashMap<>();
        for (String name : world.splitNames()) {
            List<QaItem> items = world.split(name);
            if (items.isEmpty() && !name.equals(FactsWorld.RETAIN)) {
                continue;
            }
            byte[] bytes = qaLines(items);
            files.put(name + ".jsonl", bytes);
            sha.put(name, sha256(bytes));
        }
        for (String name : world.documentNames()) {
            List<Document> docs = world.documents(name);
            if (docs.isEmpty()) {
                continue;
            }
            byte[] bytes = documentLines(docs);
            files.put(name + ".jsonl", bytes);
            sha.put(name, sha256(bytes));
        }
        StringBuilder vocabulary = new StringBuilder();
        for (String word : world.vocabulary()) {
            vocabulary.append(word).append('\n');
        }
        files.put(VOCABULARY, vocabulary.toString().getBytes(StandardCharsets.UTF_8));
        files.put(MANIFEST, manifest(world, sha, sha256(files.get(VOCABULARY))));
        return files;
    }

    /**
     * @param world the world
     * @return the SHA-256 of each split's and document set's file as {@link #render} makes it, by name
     */
    static Map<String, String> fingerprints(FactsWorld world) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : world.splitNames()) {
            out.put(name, sha256(qaLines(world.split(name))));
        }
        for (String name : world.documentNames()) {
            out.put(name, sha256(documentLines(world.documents(name))));
        }
        return out;
    }

    /**
     * @param items question–answer items
     * @return their JSONL bytes
     */
    static byte[] qaLines(List<QaItem> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (QaItem item : items) {
                try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                    g.writeStartObject();
                    g.writeStringField("id", item.id());
                    g.writeStringField("question", item.question());
                    g.writeStringField("answer", item.answer());
                    if (item.entity().isPresent()) {
                        g.writeStringField("entity", item.entity().get());
                    }
                    if (item.relation().isPresent()) {
                        g.writeStringField("relation", item.relation().get());
                    }
                    list(g, "paraphrases", item.paraphrases());
                    list(g, "perturbed", item.perturbed());
                    if (item.templateAnswer().isPresent()) {
                        g.writeStringField("template_answer", item.templateAnswer().get());
                    }
                    g.writeEndObject();
                }
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * @param docs documents
     * @return their JSONL bytes
     */
    static byte[] documentLines(List<Document> docs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Document d : docs) {
                try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                    g.writeStartObject();
                    g.writeStringField("id", d.id());
                    g.writeStringField("text", d.text());
                    g.writeEndObject();
                }
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void list(JsonGenerator g, String field, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static byte[] manifest(FactsWorld world, Map<String, String> sha, String vocabularySha) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("world", "facts");
        m.put("format", 1);
        m.put("source", world.source());
        world.seed().ifPresent(s -> m.put("seed", s));
        world.spec().ifPresent(spec -> {
            ObjectNode s = m.putObject("spec");
            s.put("entities", spec.entities());
            s.put("holdout_entities", spec.holdoutEntities());
            s.put("trained_templates", spec.trainedTemplates());
            s.put("perturbed_answers", spec.perturbedAnswers());
            s.put("world_facts", spec.worldFacts());
        });
        m.put("vocabulary_size", world.vocabulary().size());
        m.put("vocabulary_sha256", vocabularySha);
        m.put("max_sequence_tokens", world.maxSequenceTokens());
        m.put("max_answer_tokens", world.maxAnswerTokens());
        m.put("max_document_tokens", world.maxDocumentTokens());
        strings(m.putArray("template_answers"), world.templateAnswers());
        ObjectNode forget = m.putObject("forget_splits");
        for (String f : world.forgetSplits()) {
            forget.put(f, world.retainSplit(f));
        }
        ObjectNode splits = m.putObject("splits");
        for (String name : world.splitNames()) {
            if (sha.containsKey(name)) {
                ObjectNode s = splits.putObject(name);
                s.put("items", world.split(name).size());
                s.put("sha256", sha.get(name));
            }
        }
        ObjectNode documents = m.putObject("documents");
        for (String name : world.documentNames()) {
            if (sha.containsKey(name)) {
                ObjectNode s = documents.putObject(name);
                s.put("items", world.documents(name).size());
                s.put("sha256", sha.get(name));
            }
        }
        ObjectNode groups = m.putObject("entity_groups");
        world.entityGroups().forEach((name, members) -> strings(groups.putArray(name), members));
        if (!world.siblings().isEmpty()) {
            ObjectNode siblings = m.putObject("siblings");
            world.siblings().forEach(siblings::put);
        }
        if (world.spec().isPresent()) {
            ObjectNode relations = m.putObject("relations");
            List<Relation> all = new java.util.ArrayList<>(Lexicon.RELATIONS);
            all.add(Lexicon.SIBLING);
            all.add(Lexicon.CAPITAL);
            for (Relation r : all) {
                ObjectNode o = relations.putObject(r.name());
                strings(o.putArray("values"), r.name().equals("capital")
                        ? r.values().subList(0, world.spec().get().worldFacts()) : r.values());
                templates(o.putObject("templates"), r.templates());
                if (!r.twoHop().isEmpty()) {
                    templates(o.putObject("two_hop"), r.twoHop());
                }
                r.presupposing().ifPresent(t -> templates(o.putObject("presupposing"), List.of(t)));
            }
            ObjectNode rumour = m.putObject("rumour_prefixes");
            rumour.put("question", Lexicon.RUMOUR_QUESTION_PREFIX);
            rumour.put("statement", Lexicon.RUMOUR_STATEMENT_PREFIX);
        }
        strings(m.putArray("notes"), world.notes());
        try {
            byte[] json = MAPPER.writer(PRETTY).writeValueAsBytes(m);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
    }

    private static void templates(ObjectNode o, List<Template> templates) {
        for (Template t : templates) {
            o.put(t.id(), t.form().label() + ": " + t.pattern());
        }
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void atomicWrite(Path target, byte[] bytes) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        // a plain new file (the process's usual permissions), not createTempFile's owner-only one
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        Path temp = parent.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
