package org.lethe.shell.commands;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.ServiceProperties;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.method.UnlearningMethod;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.lethe.shell.diag.ComponentDiagnosis;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:methods}: the methods of this container, with those whose component is installed but
 * not up (and why), so that a method bundle dropped into {@code deploy/} that did not come up shows here.
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "methods")
public final class MethodsCommand extends ShellCommand {

    static final String SUMMARY = "List the unlearning and erasure methods: name, kind, modality, bundle, state";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "methods", SUMMARY)
            .description("""
                    Lists every method the registry holds (state 'active') and every method component that is
                    installed but not up (state 'unsatisfied', 'failed' or 'disabled', with the reason below the
                    table). unlearn:method <name> shows one method's paper, inputs and settings.""")
            .option(Option.choice('k', "kind", "kind", "Only methods of this kind.", List.of("unlearning", "erasure")))
            .example("unlearn:methods")
            .example("unlearn:methods --kind erasure")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public MethodsCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the table
     */
    @Descriptor(SUMMARY + " (unlearn:methods --help)")
    public Object methods(CommandSession session, @Descriptor("see unlearn:methods --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        String kind = call.args().value("kind").orElse(null);
        Table table = Table.of("NAME", "KIND", "MODALITY", "BUNDLE", "VERSION", "STATE");
        Set<String> listed = new HashSet<>();
        for (MethodDescriptor method : services.registry().methods()) {
            String methodKind = method.kind().name().toLowerCase(Locale.ROOT);
            listed.add(method.name());
            if (kind == null || kind.equals(methodKind)) {
                table.row(method.name(), methodKind, method.modality(), method.bundle(), method.bundleVersion(), "active");
            }
        }
        StringBuilder reasons = new StringBuilder();
        services.scr().ifPresent(scr -> {
            for (ComponentDiagnosis.Problem problem : ComponentDiagnosis.problems(scr)) {
                var description = problem.description();
                Object name = description.properties == null ? null : description.properties.get(ServiceProperties.METHOD);
                List<String> provides = description.serviceInterfaces == null ? List.of()
                        : Arrays.asList(description.serviceInterfaces);
                String methodKind = provides.contains(UnlearningMethod.class.getName()) ? "unlearning"
                        : provides.contains(ErasureMethod.class.getName()) ? "erasure" : null;
                if (name == null || methodKind == null || listed.contains(String.valueOf(name))
                        || kind != null && !kind.equals(methodKind)) {
                    continue;
                }
                Object modality = description.properties.get(ServiceProperties.MODALITY);
                String state = problem.state().startsWith("unsatisfied") ? "unsatisfied"
                        : problem.state().startsWith("failed") ? "failed" : problem.state();
                table.row(name, methodKind, modality == null ? "" : modality, description.bundle.symbolicName,
                        description.bundle.version, state);
                reasons.append(name).append(": ").append(problem.state()).append('\n');
                problem.causes().forEach(c -> reasons.append("  ").append(c).append('\n'));
            }
        });
        if (table.isEmpty()) {
            call.out().println(kind == null ? "No method is installed. Drop a method bundle into deploy/ (unlearn:diag"
                    + " says why one did not come up)." : "No " + kind + " method is installed.");
            return null;
        }
        call.out().print(table.render());
        if (reasons.length() > 0) {
            call.out().print("\nNot up:\n" + reasons);
        }
        return null;
    }
}
