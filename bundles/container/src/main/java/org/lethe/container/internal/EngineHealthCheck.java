package org.lethe.container.internal;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.lethe.djl.EngineStatus;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Reports whether the PyTorch engine loaded: OK with its version, load time and threads, or
 * CRITICAL with the platform bundle's own explanation of what is missing.
 */
@Component(property = {
        HealthCheck.NAME + "=PyTorch engine",
        HealthCheck.TAGS + "=lethe",
        HealthCheck.TAGS + "=engine"})
public final class EngineHealthCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EngineStatus status;

    @Override
    public Result execute() {
        FormattingResultLog log = new FormattingResultLog();
        EngineStatus current = status;
        if (current == null) {
            log.critical("The DJL platform bundle org.lethe.djl is not active: no engine status is published.");
        } else if (current.isAvailable()) {
            log.info("{} {} loaded on {} from {} in {} ms, {} intra-op thread(s)", current.engineName(),
                    current.engineVersion(), current.platform(),
                    current.nativeDirectory().map(Object::toString).orElse("?"), current.initMillis(),
                    current.intraOpThreads());
        } else {
            log.critical(current.failure().orElse("The engine did not load."));
        }
        return new Result(log);
    }
}
