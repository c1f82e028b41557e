package org.lethe.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lethe.api.LetheException;
import org.lethe.api.data.DataService;
import org.lethe.api.data.DataSet;

/**
 * Data read for one role of a run, with the kind of items it holds.
 *
 * @param kind question–answer items, documents, concepts, prompts, labelled images or questions about images
 * @param data the items and their fingerprint
 */
record PlannedData(Kind kind, DataSet<?> data) {

    /** What a JSONL file holds, told by the fields of its first object. */
    enum Kind {
        QA("question–answer items"),
        DOCUMENTS("documents"),
        CONCEPTS("concepts"),
        PROMPTS("prompts"),
        IMAGES("labelled images"),
        VQA("questions about images");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    /**
     * Reads a file after telling its kind from the first object's fields ({@code image} with
     * {@code question} is a visual question file, read with the image set beside it; else
     * {@code question}, {@code text}, {@code name} or {@code prompt}; an {@code id} alone, with a
     * {@code .json} image header of the same name beside the file, is an image label file).
     */
    static PlannedData read(DataService service, Path file) {
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(file + ": no such data file");
        }
        Kind kind = sniff(file);
        DataSet<?> data = switch (kind) {
            case QA -> service.readQa(file);
            case DOCUMENTS -> service.readDocuments(file);
            case CONCEPTS -> service.readConcepts(file);
            case PROMPTS -> service.readPrompts(file);
            case IMAGES -> service.readImages(file);
            case VQA -> service.readVqa(file);
        };
        return new PlannedData(kind, data);
    }

    private static Kind sniff(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            char[] buffer = new char[DataService.MAX_LINE_BYTES];
            int lineNumber = 0;
            String line;
            while ((line = readBounded(reader, buffer)) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = RunJson.MAPPER.readTree(line);
                } catch (IOException e) {
                    // the reader gives the precise error; default to the most common kind
                    return Kind.QA;
                }
                if (node.has("image") && node.has("question")) {
                    return Kind.VQA;
                }
                if (node.has("question") || node.has("answer")) {
                    return Kind.QA;
                }
                if (node.has("text")) {
                    return Kind.DOCUMENTS;
                }
                if (node.has("name")) {
                    return Kind.CONCEPTS;
                }
                if (node.has("prompt")) {
                    return Kind.PROMPTS;
                }
                if (node.has("id") && Files.isRegularFile(org.lethe.core.data.JsonlDataService.headerOf(file))) {
                    return Kind.IMAGES;
                }
                throw LetheException.invalidInput(file + ":" + lineNumber
                        + ": neither a question-answer item ('question', 'answer'), a document ('text'), a concept ('name') nor a"
                        + " prompt ('prompt'), an image label ('id', with the images' .json header beside the file) nor a"
                        + " question about an image ('image', 'question')");
            }
        } catch (IOException e) {
            throw LetheException.invalidInput(file + ": " + e.getMessage());
        }
        return Kind.QA; // empty: the reader refuses it with its own message
    }

    /** A line of at most buffer.length characters; a longer one is left to the reader's limit. */
    private static String readBounded(BufferedReader reader, char[] buffer) throws IOException {
        int length = 0;
        int c;
        while ((c = reader.read()) != -1 && c != '\n') {
            if (length == buffer.length) {
                while ((c = reader.read()) != -1 && c != '\n') {
                    // skip the rest: too long to sniff, so treated as blank here and refused by the reader
                }
                return "";
            }
            buffer[length++] = (char) c;
        }
        if (c == -1 && length == 0) {
            return null;
        }
        return new String(buffer, 0, length);
    }
}
