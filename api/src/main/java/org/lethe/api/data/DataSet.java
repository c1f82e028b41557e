package org.lethe.api.data;

import java.util.List;
import java.util.Objects;

/**
 * Items read from one source, with the fingerprint a report's manifest records.
 *
 * @param <T> {@link QaItem}, {@link Document} or {@link Concept}
 * @param name where the items came from: a split name ({@code forget10}) or a file name
 * @param items the items, in source order
 * @param fingerprint SHA-256 (hex) of the source bytes, so a report names exactly the data it used
 */
public record DataSet<T>(String name, List<T> items, String fingerprint) {

    /** Copies the items. */
    public DataSet {
        Objects.requireNonNull(name, "name");
        items = List.copyOf(items);
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /** @return the number of items */
    public int size() {
        return items.size();
    }
}
