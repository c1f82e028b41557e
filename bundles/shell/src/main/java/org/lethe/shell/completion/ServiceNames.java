package org.lethe.shell.completion;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lethe.api.LetheException;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.run.RunRecord;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.Services;
import org.lethe.shell.presets.Preset;
import org.lethe.shell.presets.Presets;

/** The container's names, for completion: a missing service just means no candidates. */
final class ServiceNames implements NameSource {

    private final Services services;

    ServiceNames(Services services) {
        this.services = services;
    }

    @Override
    public List<Candidate> names(Completion kind, String method) {
        try {
            return switch (kind) {
                case METHOD -> methods(null);
                case UNLEARNING_METHOD -> methods(MethodDescriptor.Kind.UNLEARNING);
                case ERASURE_METHOD -> methods(MethodDescriptor.Kind.ERASURE);
                case MODEL -> models();
                case WORLD -> services.worldNames().stream().map(w -> Candidate.of(w, "world")).toList();
                case RUN -> runs();
                case PRESET -> presets(method);
                case SETTING -> settings(method);
                default -> List.of();
            };
        } catch (LetheException | IllegalStateException e) {
            return List.of();
        }
    }

    private List<Candidate> methods(MethodDescriptor.Kind kind) {
        return services.registry().methods().stream().filter(m -> kind == null || m.kind() == kind)
                .map(m -> Candidate.of(m.name(), m.kind().name().toLowerCase(Locale.ROOT) + ", " + m.modality())).toList();
    }

    private List<Candidate> models() {
        List<Candidate> candidates = new ArrayList<>();
        for (String id : services.models().ids()) {
            List<ModelManifest> versions = services.models().versions(id);
            if (versions.isEmpty()) {
                continue;
            }
            ModelManifest latest = versions.get(versions.size() - 1);
            candidates.add(Candidate.of(id, latest.kind().name().toLowerCase(Locale.ROOT) + ", base version"));
            for (ModelManifest version : versions) {
                candidates.add(Candidate.of(version.ref().toString(), version.producedBy()
                        .map(k -> "from run " + ProgressLine.shortKey(k.value())).orElse("root")));
            }
        }
        return candidates;
    }

    private List<Candidate> runs() {
        List<Candidate> candidates = new ArrayList<>();
        for (RunRecord r : services.runs().runs()) {
            candidates.add(Candidate.of(ProgressLine.shortKey(r.key().value()),
                    r.state().name().toLowerCase(Locale.ROOT) + " " + r.spec().component()
                            + r.spec().model().map(m -> " on " + m).orElse("")));
        }
        return candidates;
    }

    private List<Candidate> presets(String method) {
        return new Presets(services).list().stream()
                .filter(p -> method == null || p.method().equals(method) || services.registry().method(method).isEmpty())
                .map((Preset p) -> Candidate.of(p.name(), "preset of " + p.method())).toList();
    }

    private List<Candidate> settings(String method) {
        if (method == null) {
            return List.of();
        }
        return services.registry().method(method).flatMap(MethodDescriptor::config)
                .map(schema -> schema.attributes().stream()
                        .map((ConfigSchema.Attribute a) -> new Candidate(a.key() + "=", a.type()
                                + (a.defaults().isEmpty() ? "" : ", default " + String.join(",", a.defaults())), false))
                        .toList())
                .orElse(List.of());
    }
}
