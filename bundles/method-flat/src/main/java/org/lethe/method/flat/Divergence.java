package org.lethe.method.flat;

import ai.djl.ndarray.NDArray;

/**
 * The f-divergences of FLAT's variational loss L = −g(x_e) + f*(g(x_f)), as the official code
 * defines them (UCSC-REAL/FLAT dataloader.py; methods-llm.md §1.3 table): {@link #activation} is
 * g applied to the template answer's probability, {@link #conjugate} is f*∘g applied to the forget
 * answer's. Names are the code's, with its spelling of Jensen-Shannon kept as the value.
 */
public enum Divergence {
    /** Kullback–Leibler: g(x) = x, f*(g(x)) = exp(x − 1). */
    KL("KL") {
        @Override
        double activation(double x) {
            return x;
        }

        @Override
        double conjugate(double x) {
            return Math.exp(x - 1);
        }

        @Override
        NDArray activation(NDArray x) {
            return x;
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.sub(c(x, 1)).exp();
        }
    },
    /** Reverse KL: g(x) = −exp(x), f*(g(x)) = −1 − x. */
    REVERSE_KL("Reverse-KL") {
        @Override
        double activation(double x) {
            return -Math.exp(x);
        }

        @Override
        double conjugate(double x) {
            return -1 - x;
        }

        @Override
        NDArray activation(NDArray x) {
            return x.exp().neg();
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.neg().sub(c(x, 1));
        }
    },
    /** Jeffrey: g(x) = x, f*(g(x)) = x + x²/4 + x³/16. */
    JEFFREY("Jeffrey") {
        @Override
        double activation(double x) {
            return x;
        }

        @Override
        double conjugate(double x) {
            return x + x * x / 4 + x * x * x / 16;
        }

        @Override
        NDArray activation(NDArray x) {
            return x;
        }

        @Override
        NDArray conjugate(NDArray x) {
            NDArray square = x.mul(x);
            return x.add(square.div(c(x, 4))).add(square.mul(x).div(c(x, 16)));
        }
    },
    /** Squared Hellinger: g(x) = 1 − exp(x), f*(g(x)) = (1 − exp(x)) / exp(x). */
    SQUARED_HELLINGER("Squared-Hellinger") {
        @Override
        double activation(double x) {
            return 1 - Math.exp(x);
        }

        @Override
        double conjugate(double x) {
            return (1 - Math.exp(x)) / Math.exp(x);
        }

        @Override
        NDArray activation(NDArray x) {
            return x.exp().neg().add(c(x, 1));
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.exp().neg().add(c(x, 1)).div(x.exp());
        }
    },
    /** Pearson χ²: g(x) = x, f*(g(x)) = x²/4 + x. */
    PEARSON("Pearson") {
        @Override
        double activation(double x) {
            return x;
        }

        @Override
        double conjugate(double x) {
            return x * x / 4 + x;
        }

        @Override
        NDArray activation(NDArray x) {
            return x;
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.mul(x).div(c(x, 4)).add(x);
        }
    },
    /** Neyman χ²: g(x) = 1 − exp(x), f*(g(x)) = 2 − 2·sqrt(1 − x). */
    NEYMAN("Neyman") {
        @Override
        double activation(double x) {
            return 1 - Math.exp(x);
        }

        @Override
        double conjugate(double x) {
            return 2 - 2 * Math.sqrt(1 - x);
        }

        @Override
        NDArray activation(NDArray x) {
            return x.exp().neg().add(c(x, 1));
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.neg().add(c(x, 1)).sqrt().mul(c(x, -2)).add(c(x, 2));
        }
    },
    /** Jensen–Shannon: g(x) = −log(1 + e^{−x}) − log 2, f*(g(x)) = x + log(1 + e^{−x}) − log 2. */
    JENSEN_SHANNON("Jenson-Shannon") {
        @Override
        double activation(double x) {
            return -Math.log1p(Math.exp(-x)) - Math.log(2);
        }

        @Override
        double conjugate(double x) {
            return x + Math.log1p(Math.exp(-x)) - Math.log(2);
        }

        @Override
        NDArray activation(NDArray x) {
            return x.neg().exp().add(c(x, 1)).log().neg().sub(c(x, LOG_2));
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.add(x.neg().exp().add(c(x, 1)).log()).sub(c(x, LOG_2));
        }
    },
    /** Total variation (the official code's default): g(x) = tanh(x)/2, f*(g(x)) = tanh(x)/2. */
    TOTAL_VARIATION("Total-Variation") {
        @Override
        double activation(double x) {
            return Math.tanh(x) / 2;
        }

        @Override
        double conjugate(double x) {
            return Math.tanh(x) / 2;
        }

        @Override
        NDArray activation(NDArray x) {
            return x.tanh().div(c(x, 2));
        }

        @Override
        NDArray conjugate(NDArray x) {
            return x.tanh().div(c(x, 2));
        }
    };

    /** ln 2 as a float: a double operand would promote the arrays to float64. */
    private static final float LOG_2 = (float) Math.log(2);

    private final String codeName;

    Divergence(String codeName) {
        this.codeName = codeName;
    }

    /** @return the name the official code uses ({@code variants:} in config/forget.yaml) */
    public String codeName() {
        return codeName;
    }

    /** @return g(x), the activation on the template answer's probability (reference values for tests) */
    abstract double activation(double x);

    /** @return f*(g(x)), the conjugate term on the forget answer's probability */
    abstract double conjugate(double x);

    /** g on an array, differentiable. */
    abstract NDArray activation(NDArray x);

    /** f*∘g on an array, differentiable. */
    abstract NDArray conjugate(NDArray x);

    /**
     * A constant as an array of {@code like}'s memory scope, which lives until after the backward
     * pass. DJL's {@code op(Number)} variants free their temporary scalar at once while autograd
     * still refers to it, so a garbage collection before backward corrupts the gradient.
     */
    static NDArray c(NDArray like, float value) {
        return like.getManager().create(value);
    }

    /** @return L_FLAT = −g(x_e) + f*(g(x_f)) */
    NDArray loss(NDArray templateProbability, NDArray forgetProbability) {
        return activation(templateProbability).neg().add(conjugate(forgetProbability));
    }
}
