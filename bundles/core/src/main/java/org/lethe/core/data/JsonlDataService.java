package org.lethe.core.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataService;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.Document;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.data.QaItem;
import org.lethe.api.data.VqaItem;

/**
 * The JSONL {@link DataService} of DESIGN §4: UTF-8, one JSON object a line, blank lines skipped,
 * unknown fields ignored.
 *
 * <p>Reading is bounded and all-or-nothing: the file is read in chunks, a line longer than
 * {@link DataService#MAX_LINE_BYTES} is refused as soon as the limit is passed (the rest of it is
 * never read), more than {@link DataService#MAX_ITEMS} items are refused, and the whole file is
 * validated before a {@link DataSet} is returned. Every error is a {@link LetheException} with exit
 * status 3 (invalid input) and a message {@code <file>:<line>: field '<field>': <what>} (or
 * {@code <file>:<line>: <what>} for a whole line, {@code <file>: <what>} for the whole file). The
 * fingerprint is the SHA-256 of exactly the bytes that were parsed. A data set's name is its file's
 * name without {@code .jsonl} ({@code forget.jsonl} gives {@code forget}).
 *
 * <p>Writing applies the same rules to the items first, then writes atomically (a temporary file in
 * the same folder, fsynced, moved over the target), so what {@link #write} writes reads back equal.
 *
 * <p>Registered as the container's {@link DataService}; thread-safe (each call keeps its own state).
 */
@org.osgi.service.component.annotations.Component(service = DataService.class)
public final class JsonlDataService implements DataService {

    private static final String SUFFIX = ".jsonl";

    /** One kind of line: how to parse it, check it, key it for uniqueness and write it. */
    private static final class Kind<T> {
        final String noun;
        final Class<T> type;
        final String keyField;
        final Function<T, String> key;
        final Parser<T> parser;
        final Checker<T> checker;
        final Function<T, ObjectNode> json;

        Kind(String noun, Class<T> type, String keyField, Function<T, String> key, Parser<T> parser,
                Checker<T> checker, Function<T, ObjectNode> json) {
            this.noun = noun;
            this.type = type;
            this.keyField = keyField;
            this.key = key;
            this.parser = parser;
            this.checker = checker;
            this.json = json;
        }
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(ObjectNode o, long line, Where w);
    }

    @FunctionalInterface
    private interface Checker<T> {
        void check(T item, Where w);
    }

    private static final Kind<QaItem> QA = new Kind<>("question-answer item", QaItem.class, ItemCodec.ID,
            QaItem::id, ItemCodec::qa, ItemCodec::check, ItemCodec::json);
    private static final Kind<Document> DOCUMENTS = new Kind<>("document", Document.class, ItemCodec.ID,
            Document::id, ItemCodec::document, ItemCodec::check, ItemCodec::json);
    private static final Kind<Concept> CONCEPTS = new Kind<>("concept", Concept.class, ItemCodec.NAME,
            Concept::name, ItemCodec::concept, ItemCodec::check, ItemCodec::json);
    private static final Kind<Prompt> PROMPTS = new Kind<>("prompt", Prompt.class, ItemCodec.ID,
            Prompt::id, ItemCodec::prompt, ItemCodec::check, ItemCodec::json);
    private static final Kind<ItemCodec.ImageLabel> IMAGE_LABELS = new Kind<>("image label", ItemCodec.ImageLabel.class,
            ItemCodec.ID, ItemCodec.ImageLabel::id, ItemCodec::imageLabel, ItemCodec::check, ItemCodec::json);
    private static final Kind<ItemCodec.VqaLine> VQA_LINES = new Kind<>("visual question", ItemCodec.VqaLine.class,
            ItemCodec.ID, ItemCodec.VqaLine::id, ItemCodec::vqaLine, ItemCodec::check, ItemCodec::json);
    private static final List<Kind<?>> KINDS = List.of(QA, DOCUMENTS, CONCEPTS, PROMPTS);

    /** Longest part of a parser's message kept in an error. */
    private static final int PARSER_MESSAGE_LIMIT = 200;

    private final int maxLineBytes;
    private final int maxItems;
    private final AtomicFiles.BeforeMove beforeMove;
    private final JsonMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /** A service with the API's limits ({@link DataService#MAX_LINE_BYTES}, {@link DataService#MAX_ITEMS}). */
    public JsonlDataService() {
        this(MAX_LINE_BYTES, MAX_ITEMS, AtomicFiles.BeforeMove.NONE);
    }

    /**
     * For tests: other limits, and a hook that runs just before a write's rename.
     *
     * @param maxLineBytes longest accepted line, in bytes
     * @param maxItems most items a file may hold
     * @param beforeMove runs between the temporary file's fsync and its rename
     */
    JsonlDataService(int maxLineBytes, int maxItems, AtomicFiles.BeforeMove beforeMove) {
        if (maxLineBytes < 1 || maxItems < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxLineBytes = maxLineBytes;
        this.maxItems = maxItems;
        this.beforeMove = Objects.requireNonNull(beforeMove, "beforeMove");
    }

    /**
     * Reads question–answer items: {@code question} and {@code answer} required; {@code id},
     * {@code entity}, {@code relation}, {@code template_answer} (strings), {@code paraphrases},
     * {@code perturbed} (lists of strings) optional. An item without an id gets {@code L<line>}.
     *
     * @param file the JSONL file
     * @return its items in file order, named after the file, with the SHA-256 of its bytes
     * @throws LetheException (invalid input) naming the file, line and field of the first problem
     */
    @Override
    public DataSet<QaItem> readQa(Path file) {
        return read(file, QA);
    }

    /**
     * Reads documents: {@code text} required, {@code id} optional (default {@code L<line>}).
     *
     * @param file the JSONL file
     * @return its documents in file order, named after the file, with the SHA-256 of its bytes
     * @throws LetheException (invalid input) naming the file, line and field of the first problem
     */
    @Override
    public DataSet<Document> readDocuments(Path file) {
        return read(file, DOCUMENTS);
    }

    /**
     * Reads concepts: {@code name} required and unique in the file; {@code attribute} (string) and
     * {@code aliases} (list of strings) optional.
     *
     * @param file the JSONL file
     * @return its concepts in file order, named after the file, with the SHA-256 of its bytes
     * @throws LetheException (invalid input) naming the file, line and field of the first problem
     */
    @Override
    public DataSet<Concept> readConcepts(Path file) {
        return read(file, CONCEPTS);
    }

    /**
     * Reads prompts: {@code prompt} required; {@code id} (string, default {@code L<line>}),
     * {@code labels} (an object of non-blank strings) and {@code seed} (a non-negative whole number)
     * optional.
     *
     * @param file the JSONL file
     * @return its prompts in file order, named after the file, with the SHA-256 of its bytes
     * @throws LetheException (invalid input) naming the file, line and field of the first problem
     */
    @Override
    public DataSet<Prompt> readPrompts(Path file) {
        return read(file, PROMPTS);
    }

    /**
     * Reads a labelled image set: the label lines ({@code id} required and unique, {@code labels} an
     * object of non-blank strings optional) and the {@link ImageFiles lethe-images} file whose
     * header is the label file's name with {@code .json} for {@code .jsonl}; the header's image count
     * must equal the label lines. The fingerprint is the SHA-256 of the label file's SHA-256 and the
     * data file's SHA-256 (hex, joined by a newline).
     *
     * @param labels the label JSONL file
     * @return the images in file order, named after the label file
     * @throws LetheException (invalid input) naming the file, line or image and field of the first problem
     */
    @Override
    public DataSet<LabelledImage> readImages(Path labels) {
        DataSet<ItemCodec.ImageLabel> lines = read(labels, IMAGE_LABELS);
        Path header = headerOf(labels);
        ImageFiles.Pixels pixels = ImageFiles.read(header);
        if (pixels.count() != lines.size()) {
            throw LetheException.invalidInput(header + ": field 'shape': " + pixels.count() + " images, but " + labels
                    + " labels " + lines.size() + " (one line per image, in image order)");
        }
        List<LabelledImage> images = new ArrayList<>(lines.size());
        int perImage = pixels.perImage();
        for (int i = 0; i < lines.size(); i++) {
            float[] one = java.util.Arrays.copyOfRange(pixels.values(), i * perImage, (i + 1) * perImage);
            ItemCodec.ImageLabel label = lines.items().get(i);
            images.add(new LabelledImage(label.id(), label.labels(), pixels.channels(), pixels.height(), pixels.width(),
                    one));
        }
        String fingerprint = ImageFiles.sha256((lines.fingerprint() + "\n" + pixels.sha256())
                .getBytes(StandardCharsets.UTF_8));
        return new DataSet<>(lines.name(), images, fingerprint);
    }

    /**
     * Reads a visual question file and the labelled image set beside it ({@link #imagesOf}): every
     * question's {@code image} must name an image of the set. The fingerprint is the SHA-256 of the
     * question file's fingerprint and the image set's (hex, joined by a newline).
     *
     * @param questions the question JSONL file
     * @return the items in file order, named after the question file
     * @throws LetheException (invalid input) naming the file, line and field of the first problem
     */
    @Override
    public DataSet<VqaItem> readVqa(Path questions) {
        DataSet<ItemCodec.VqaLine> lines = read(questions, VQA_LINES);
        Path imageLabels = imagesOf(questions);
        if (!Files.isRegularFile(imageLabels)) {
            throw LetheException.invalidInput(questions + ": its images are missing: no image set " + imageLabels
                    + " beside it");
        }
        DataSet<LabelledImage> images = readImages(imageLabels);
        Map<String, LabelledImage> byId = new HashMap<>();
        images.items().forEach(image -> byId.put(image.id(), image));
        List<VqaItem> items = new ArrayList<>(lines.size());
        int line = 0;
        for (ItemCodec.VqaLine vqa : lines.items()) {
            line++;
            LabelledImage image = byId.get(vqa.image());
            if (image == null) {
                throw LetheException.invalidInput(questions + ": question " + Where.quote(vqa.id()) + " (item " + line
                        + "): field 'image': no image " + Where.quote(vqa.image()) + " in " + imageLabels);
            }
            items.add(new VqaItem(vqa.id(), image, vqa.question(), vqa.answer(), vqa.attribute(), vqa.form()));
        }
        String fingerprint = ImageFiles.sha256((lines.fingerprint() + "\n" + images.fingerprint())
                .getBytes(StandardCharsets.UTF_8));
        return new DataSet<>(lines.name(), items, fingerprint);
    }

    /**
     * @param questions a visual question file
     * @return its image set's label file: the same name with {@code .images.jsonl} for {@code .jsonl}
     */
    public static Path imagesOf(Path questions) {
        String name = questions.getFileName().toString();
        String stem = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        return questions.resolveSibling(stem + ".images" + SUFFIX);
    }

    /**
     * @param labels a label file
     * @return its images' header: the same name with {@code .json} for {@code .jsonl} (or {@code .json}
     *     added)
     */
    public static Path headerOf(Path labels) {
        String name = labels.getFileName().toString();
        String stem = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        return labels.resolveSibling(stem + ".json");
    }

    /**
     * Writes items of one kind as JSONL (UTF-8, one object a line, contract field names such as
     * {@code template_answer}, absent optionals and empty lists omitted), atomically. The items are
     * checked by the reading rules first (non-blank strings, unique ids or names, line length, item
     * count), so the file reads back as equal items. Missing parent folders are created.
     *
     * @param file the target; replaced whole if it exists
     * @param items {@link QaItem}s, {@link Document}s, {@link Concept}s or {@link Prompt}s, all of one kind, at least one
     * @throws LetheException (invalid input) when the items break a rule (naming the item and field)
     *     or the file cannot be written; in both cases the target is unchanged and no temporary file remains
     */
    @Override
    public void write(Path file, List<?> items) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(items, "items");
        String shown = file.toString();
        if (items.isEmpty()) {
            throw LetheException.invalidInput(shown + ": nothing to write (a JSONL file needs at least one item)");
        }
        if (items.size() > maxItems) {
            throw LetheException.invalidInput(shown + ": too many items: " + items.size()
                    + ", more than the limit of " + maxItems + " items a file");
        }
        write(shown, file, kindOf(shown, items.get(0)), items);
    }

    // ---- reading ------------------------------------------------------------------------------

    private <T> DataSet<T> read(Path file, Kind<T> kind) {
        Objects.requireNonNull(file, "file");
        String shown = file.toString();
        if (Files.isDirectory(file)) {
            throw LetheException.invalidInput(shown + ": is a directory, not a JSONL file");
        }
        if (!Files.exists(file)) {
            throw LetheException.invalidInput(shown + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(shown + ": not a regular file");
        }
        MessageDigest sha256 = sha256();
        List<T> items = new ArrayList<>();
        Map<String, Long> firstLine = new HashMap<>();
        LineDecoder decoder = new LineDecoder();
        try (InputStream in = Files.newInputStream(file)) {
            BoundedLineReader lines = new BoundedLineReader(in, maxLineBytes, sha256);
            while (lines.next()) {
                long number = lines.lineNumber();
                Where where = Where.line(shown, number);
                CharBuffer text = decoder.decode(lines, where);
                if (isBlank(text)) {
                    continue;
                }
                ObjectNode object = parseObject(text, where);
                if (items.size() == maxItems) {
                    throw where.problem("too many items: more than the limit of " + maxItems + " items a file");
                }
                T item = kind.parser.parse(object, number, where);
                String key = kind.key.apply(item);
                Long first = firstLine.putIfAbsent(key, number);
                if (first != null) {
                    throw where.field(kind.keyField, "duplicate " + kind.keyField + " " + Where.quote(key)
                            + " (also on line " + first + ")");
                }
                items.add(item);
            }
        } catch (BoundedLineReader.LineTooLongException e) {
            throw Where.line(shown, e.line()).problem("line too long: more than the limit of " + maxLineBytes
                    + " bytes a line");
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, shown + ": cannot read: " + reason(e), e);
        }
        if (items.isEmpty()) {
            throw LetheException.invalidInput(shown + ": no items (the file is empty or has only blank lines)");
        }
        return new DataSet<>(name(file), items, HexFormat.of().formatHex(sha256.digest()));
    }

    /** Decodes a line as strict UTF-8 into a reused buffer; drops a byte-order mark on line 1. */
    private static final class LineDecoder {
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private CharBuffer chars = CharBuffer.allocate(1024);

        CharBuffer decode(BoundedLineReader lines, Where where) {
            int length = lines.length();
            if (chars.capacity() < length) {
                chars = CharBuffer.allocate(Math.max(length, 2 * chars.capacity()));
            }
            chars.clear();
            ByteBuffer in = ByteBuffer.wrap(lines.bytes(), 0, length);
            utf8.reset();
            CoderResult result = utf8.decode(in, chars, true);
            if (!result.isError()) {
                result = utf8.flush(chars);
            }
            if (result.isError()) {
                int at = in.position();
                throw where.problem(String.format("invalid UTF-8 at byte %d of the line (0x%02X)", at + 1,
                        lines.bytes()[at] & 0xff));
            }
            chars.flip();
            if (lines.lineNumber() == 1 && chars.hasRemaining() && chars.get(0) == '\uFEFF') {
                chars.position(1);
            }
            return chars;
        }
    }

    private static boolean isBlank(CharBuffer text) {
        for (int i = text.position(); i < text.limit(); i++) {
            char c = text.get(i);
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    private ObjectNode parseObject(CharBuffer text, Where where) {
        JsonNode node;
        try (JsonParser parser = mapper.createParser(text.array(), text.arrayOffset() + text.position(),
                text.remaining())) {
            node = mapper.readTree(parser);
            if (parser.nextToken() != null) {
                throw where.problem("more than one JSON value on the line (the second starts at column "
                        + parser.currentTokenLocation().getColumnNr() + ")");
            }
        } catch (JsonProcessingException e) {
            String message = plain(Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName()));
            if (message.length() > PARSER_MESSAGE_LIMIT) {
                message = message.substring(0, PARSER_MESSAGE_LIMIT) + "...";
            }
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw where.problem("not valid JSON: " + message.replace('\n', ' ')
                    + (column > 0 ? " (column " + column + ")" : ""));
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory failed", e);
        }
        if (!node.isObject()) {
            throw where.problem("expected a JSON object, found " + ItemCodec.describe(node));
        }
        return (ObjectNode) node;
    }

    /** Drops the parts of a Jackson message that speak to programmers, not to the file's author. */
    private static String plain(String message) {
        return message.replaceAll(" ?\\(start marker at \\[.*?\\]\\)", "")
                .replaceAll(": enable `[^`]*` to allow", "")
                .replaceAll(", from `[^`]*`\\)", ")");
    }

    private static String name(Path file) {
        Path fileName = file.getFileName();
        String name = fileName == null ? file.toString() : fileName.toString();
        if (name.endsWith(SUFFIX) && name.length() > SUFFIX.length()) {
            name = name.substring(0, name.length() - SUFFIX.length());
        }
        return name;
    }

    // ---- writing ------------------------------------------------------------------------------

    private static Kind<?> kindOf(String shown, Object first) {
        if (first == null) {
            throw Where.item(shown, 1).problem("is null");
        }
        for (Kind<?> kind : KINDS) {
            if (kind.type.isInstance(first)) {
                return kind;
            }
        }
        throw Where.item(shown, 1).problem("cannot write a " + first.getClass().getName()
                + " (expected QaItem, Document or Concept)");
    }

    private <T> void write(String shown, Path file, Kind<T> kind, List<?> items) {
        if (Files.isDirectory(file)) {
            throw LetheException.invalidInput(shown + ": is a directory, not a JSONL file");
        }
        List<T> typed = new ArrayList<>(items.size());
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Object o = items.get(i);
            Where where = Where.item(shown, i + 1);
            if (!kind.type.isInstance(o)) {
                throw where.problem("is " + (o == null ? "null" : "a " + o.getClass().getSimpleName())
                        + ", but item 1 is a " + kind.noun + " (one file holds one kind)");
            }
            T item = kind.type.cast(o);
            kind.checker.check(item, where);
            String key = kind.key.apply(item);
            Integer first = firstIndex.putIfAbsent(key, i + 1);
            if (first != null) {
                throw where.field(kind.keyField, "duplicate " + kind.keyField + " " + Where.quote(key)
                        + " (also item " + first + ")");
            }
            typed.add(item);
        }
        try {
            AtomicFiles.write(file, out -> {
                for (int i = 0; i < typed.size(); i++) {
                    byte[] line = mapper.writeValueAsBytes(kind.json.apply(typed.get(i)));
                    if (line.length > maxLineBytes) {
                        throw Where.item(shown, i + 1).problem("too long for one line: " + line.length
                                + " bytes, more than the limit of " + maxLineBytes);
                    }
                    out.write(line);
                    out.write('\n');
                }
            }, beforeMove);
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, shown + ": cannot write: " + reason(e), e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + ((NoSuchFileException) e).getFile();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((AccessDeniedException) e).getFile();
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder: " + ((NotDirectoryException) e).getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
