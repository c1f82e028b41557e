package org.lethe.shell.completion;

import java.util.List;
import org.lethe.shell.base.Completion;

/** Where completions come from: the container's current names of each kind. */
public interface NameSource {

    /**
     * @param kind what is completed ({@link Completion#METHOD}, {@link Completion#MODEL}, ...)
     * @param method for {@link Completion#SETTING}: the method named on the line, or null
     * @return the candidates; empty when there are none or the kind is not a name
     */
    List<Candidate> names(Completion kind, String method);
}
