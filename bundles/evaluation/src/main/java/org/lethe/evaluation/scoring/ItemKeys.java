package org.lethe.evaluation.scoring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.lethe.api.data.QaItem;

/** The keys of per-item values: an item's id, or {@code #<index>} where it has none. */
public final class ItemKeys {

    private ItemKeys() {
    }

    /**
     * The key of every item, in data order. An item's key is its {@link QaItem#id() id}; an item
     * whose id is blank, or repeats an earlier item's key, gets {@code #<index>} (its position in
     * the list, from 0), so keys are unique and per-item maps lose nothing.
     *
     * @param items the items
     * @return one key per item, in the same order
     */
    public static List<String> of(List<QaItem> items) {
        List<String> keys = new ArrayList<>(items.size());
        Set<String> used = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String id = items.get(i).id();
            String key = id.isBlank() || used.contains(id) ? "#" + i : id;
            used.add(key);
            keys.add(key);
        }
        return keys;
    }
}
