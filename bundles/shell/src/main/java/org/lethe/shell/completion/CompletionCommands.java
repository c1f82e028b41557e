package org.lethe.shell.completion;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Completion for the {@code unlearn:} commands, as three hidden Gogo functions (names starting with
 * {@code _} are not offered as commands):
 * <ul>
 * <li>{@code unlearn:_completions} registers, in the current interactive session, every command's
 * description and options with Gogo's {@code complete} builtin, from the commands' own declarations
 * ({@code etc/gosh_profile} calls it once per session);</li>
 * <li>{@code unlearn:_complete} is what those registrations call on Tab for an argument or an option's
 * value: it reads the line JLine parsed (session variable {@code .commandLine}) and offers the names
 * that fit there;</li>
 * <li>{@code unlearn:_absent <spelling>...} is the condition that hides an option already on the line.</li>
 * </ul>
 */
@Component(service = CompletionCommands.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = {"_complete", "_completions", "_absent"})
public final class CompletionCommands {

    private final Services services;
    private final Map<String, ShellCommand> commands = new ConcurrentHashMap<>();

    /**
     * @param services where names come from
     */
    @Activate
    public CompletionCommands(@Reference Services services) {
        this.services = services;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCommand(ShellCommand command) {
        commands.put(command.spec().function(), command);
    }

    void unbindCommand(ShellCommand command) {
        commands.remove(command.spec().function(), command);
    }

    /**
     * Registers the completions of every {@code unlearn:} command in this session. Does nothing in a
     * session without a line reader (one-shot commands, scripts).
     *
     * @param session the session
     * @return nothing
     * @throws Exception when Gogo's {@code complete} builtin fails
     */
    @Descriptor("register Tab completion for the unlearn commands in this session")
    public Object _completions(CommandSession session) throws Exception {
        if (session.get(".reader") == null) {
            return null;
        }
        for (String line : registrations(commands.values().stream().map(ShellCommand::spec).toList())) {
            session.execute(line);
        }
        return null;
    }

    /**
     * The {@code complete} lines for some commands.
     *
     * @param specs the commands
     * @return one line per registration
     */
    public static List<String> registrations(List<CommandSpec> specs) {
        List<String> lines = new ArrayList<>();
        for (CommandSpec spec : specs) {
            String name = spec.name();
            lines.add("complete -c " + name + " -e");
            lines.add("complete -c " + name + " -d " + quoted(spec.summary()));
            for (Option option : spec.options()) {
                StringBuilder line = new StringBuilder("complete -c ").append(name);
                if (option.shortName() != 0) {
                    line.append(" -s ").append(option.shortName());
                }
                line.append(" -l ").append(option.longName()).append(" -d ").append(quoted(firstSentence(option.description())));
                if (!option.repeatable()) {
                    line.append(" -n ").append(quoted("unlearn:_absent " + String.join(" ", option.spellings())));
                }
                lines.add(line.toString());
            }
            lines.add("complete -c " + name + " -a 'unlearn:_complete'");
        }
        return lines;
    }

    /**
     * The candidates for the word under the cursor, for the command on the line JLine parsed.
     *
     * @param session the session (its {@code .commandLine} is the line)
     * @return JLine candidates (strings when JLine's candidate type cannot be reached)
     * @throws Exception when delegating file completion to Gogo fails
     */
    @Descriptor("candidates for the word under the cursor (called by Tab completion)")
    public List<Object> _complete(CommandSession session) throws Exception {
        Object line = session.get(".commandLine");
        if (line == null) {
            return List.of();
        }
        List<String> words = words(line);
        int index = (Integer) call(line, "wordIndex");
        if (words.isEmpty() || index < 1) {
            return List.of();
        }
        String word = words.get(0);
        ShellCommand command = commands.get(word.substring(word.indexOf(':') + 1));
        if (command == null) {
            return List.of();
        }
        Completer.Target target = Completer.target(command.spec(), words, index);
        if (target.kind() == Completion.FILE || target.kind() == Completion.DIRECTORY) {
            Object files = session.execute(target.kind() == Completion.FILE ? "__files" : "__directories");
            return files instanceof List<?> list ? new ArrayList<>(list) : List.of();
        }
        List<Candidate> candidates = target.kind() == Completion.CHOICE
                ? target.choices().stream().map(c -> Candidate.of(c, "")).toList()
                : new ServiceNames(services).names(target.kind(), target.method());
        return toJLine(line.getClass().getClassLoader(), candidates);
    }

    /**
     * Whether none of the spellings is already on the line: hides an option that may be given once.
     *
     * @param session the session (its {@code .commandLine} is the line)
     * @param spellings e.g. {@code -m --model}
     * @return true when none is there
     */
    @Descriptor("whether none of the options is on the line (a completion condition)")
    public boolean _absent(CommandSession session, String... spellings) {
        Object line = session.get(".commandLine");
        if (line == null) {
            return true;
        }
        List<String> words = words(line);
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            for (String spelling : spellings) {
                if (word.equals(spelling) || word.startsWith(spelling + "=")) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<String> words(Object line) {
        Object words = call(line, "words");
        List<String> result = new ArrayList<>();
        if (words instanceof List<?> list) {
            list.forEach(w -> result.add(String.valueOf(w)));
        }
        return result;
    }

    /** Calls a method of JLine's {@code ParsedLine} on the line object, through the public interface. */
    private static Object call(Object target, String method) {
        try {
            for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
                for (Class<?> face : type.getInterfaces()) {
                    if (face.getName().equals("org.jline.reader.ParsedLine")) {
                        return face.getMethod(method).invoke(target);
                    }
                }
            }
            Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return method.equals("wordIndex") ? -1 : null;
        }
    }

    /** JLine {@code Candidate}s (with descriptions, and no space after an unfinished word), else strings. */
    private static List<Object> toJLine(ClassLoader loader, List<Candidate> candidates) {
        try {
            Class<?> type = Class.forName("org.jline.reader.Candidate", false, loader);
            Constructor<?> make = type.getConstructor(String.class, String.class, String.class, String.class,
                    String.class, String.class, boolean.class);
            List<Object> result = new ArrayList<>();
            for (Candidate c : candidates) {
                result.add(make.newInstance(c.value(), c.value(), null, c.description().isEmpty() ? null : c.description(),
                        null, null, c.complete()));
            }
            return result;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new ArrayList<>(candidates.stream().map(Candidate::value).toList());
        }
    }

    /** A Gogo single-quoted word; a quote inside becomes a typographic apostrophe. */
    static String quoted(String text) {
        return "'" + text.replace("'", "\u2019").replace("\\", "/") + "'";
    }

    static String firstSentence(String text) {
        int end = text.indexOf(". ");
        String sentence = end < 0 ? text : text.substring(0, end);
        return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
    }
}
