package org.lethe.evaluation.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lethe.api.data.QaItem;

/** Per-item keys: ids in data order, {@code #<index>} where an id is blank or repeated. */
class ItemKeysTest {

    @Test
    void idsOrIndexFallbacks() {
        List<QaItem> items = List.of(QaItem.of("a", "q", "x"), QaItem.of("", "q", "x"), QaItem.of("a", "q", "x"),
                QaItem.of("b", "q", "x"));
        assertEquals(List.of("a", "#1", "#2", "b"), ItemKeys.of(items));
    }
}
