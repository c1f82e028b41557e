package org.lethe.shell.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;

class CompleterTest {

    static final CommandSpec RUN = CommandSpec.command("unlearn", "run", "Run")
            .operand(Operand.required("method", "The method.", Completion.UNLEARNING_METHOD))
            .option(Option.value('m', "model", "ref", "The model.", Completion.MODEL))
            .option(Option.value('f', "forget", "file", "The file.", Completion.FILE))
            .option(Option.value('s', "set", "key=value", "A setting.", Completion.SETTING).many())
            .option(Option.choice((char) 0, "format", "f", "Format.", List.of("md", "json")))
            .option(Option.flag('q', "quiet", "Quiet. Really."))
            .build();

    private static Completer.Target at(String line) {
        List<String> words = List.of((line + "|").split(" "));
        int index = words.size() - 1;
        List<String> clean = words.stream().map(w -> w.replace("|", "")).toList();
        return Completer.target(RUN, clean, index);
    }

    @Test
    void operandsAndOptionValuesGetTheirKindOfName() {
        assertEquals(Completion.UNLEARNING_METHOD, at("unlearn:run asc").kind());
        assertEquals(Completion.MODEL, at("unlearn:run ascent --model ti").kind());
        assertEquals(Completion.MODEL, at("unlearn:run ascent -m ").kind());
        assertEquals(Completion.FILE, at("unlearn:run ascent -m tiny -f ").kind());
        assertEquals(Completion.NONE, at("unlearn:run ascent -m tiny ").kind(), "no second operand");
        assertEquals(Completion.UNLEARNING_METHOD, at("unlearn:run -q -m tiny ").kind(), "flags take no value");
        assertEquals(Completion.MODEL, at("unlearn:run ascent -qm ").kind(), "a cluster ending in a valued option");
        assertEquals(Completion.NONE, at("unlearn:run ascent -mtiny ").kind(), "an attached value is done");
        Completer.Target set = at("unlearn:run ascent -m tiny --set st");
        assertEquals(Completion.SETTING, set.kind());
        assertEquals("ascent", set.method());
        Completer.Target format = at("unlearn:run ascent --format ");
        assertEquals(Completion.CHOICE, format.kind());
        assertEquals(List.of("md", "json"), format.choices());
    }

    @Test
    void registrationsComeFromTheDeclaration() {
        List<String> lines = CompletionCommands.registrations(List.of(RUN));
        assertEquals("complete -c unlearn:run -e", lines.get(0));
        assertEquals("complete -c unlearn:run -d 'Run'", lines.get(1));
        assertTrue(lines.contains("complete -c unlearn:run -s m -l model -d 'The model' -n 'unlearn:_absent -m --model'"),
                lines.toString());
        assertTrue(lines.contains("complete -c unlearn:run -s s -l set -d 'A setting'"), "repeatable: always offered");
        assertTrue(lines.contains("complete -c unlearn:run -s q -l quiet -d 'Quiet' -n 'unlearn:_absent -q --quiet'"),
                lines.toString());
        assertEquals("complete -c unlearn:run -a 'unlearn:_complete'", lines.get(lines.size() - 1));
        assertEquals("'it\u2019s'", CompletionCommands.quoted("it's"));
    }
}
