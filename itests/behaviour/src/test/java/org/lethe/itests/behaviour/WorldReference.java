package org.lethe.itests.behaviour;

import java.util.Dictionary;
import java.util.Hashtable;
import org.lethe.api.ServiceProperties;
import org.lethe.api.world.World;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The service reference a world is bound with outside OSGi ({@code CoreRunService.bindWorld}): its
 * name as {@value ServiceProperties#WORLD}, and no bundle (so the world's version is empty).
 */
public final class WorldReference implements ServiceReference<World> {

    private final String name;

    /**
     * @param name the world's name ({@code lethe.world}), e.g. {@code facts} or {@code shapes}
     */
    public WorldReference(String name) {
        this.name = name;
    }

    @Override
    public Object getProperty(String key) {
        return ServiceProperties.WORLD.equals(key) ? name : null;
    }

    @Override
    public String[] getPropertyKeys() {
        return new String[] {ServiceProperties.WORLD};
    }

    @Override
    public Bundle getBundle() {
        return null;
    }

    @Override
    public Bundle[] getUsingBundles() {
        return new Bundle[0];
    }

    @Override
    public boolean isAssignableTo(Bundle bundle, String className) {
        return true;
    }

    @Override
    public int compareTo(Object reference) {
        return 0;
    }

    @Override
    public Dictionary<String, Object> getProperties() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ServiceProperties.WORLD, name);
        return props;
    }

    @Override
    public <A> A adapt(Class<A> type) {
        return null;
    }
}
