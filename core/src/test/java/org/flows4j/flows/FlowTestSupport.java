package org.flows4j.flows;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;

/** Jacobians by autodiff and log-determinants by LU, to check transforms' own log-dets. */
public final class FlowTestSupport {
    private FlowTestSupport() {}

    /** d y_i / d x_j of a transform's forward (or inverse) at one point, by reverse-mode autodiff. */
    public static double[][] jacobian(Transform t, double[] point, boolean inverse, Tensor context) {
        int d = point.length;
        Tensor x = Tensor.of(point, 1, d).requireGrad();
        Tensor y = inverse ? t.inverse(x, context).y() : t.forward(x, context).y();
        double[][] jac = new double[d][];
        for (int i = 0; i < d; i++) {
            double[] e = new double[d];
            e[i] = 1;
            List<Tensor> g = Autograd.grad(y, List.of(x), Tensor.of(e, 1, d), false);
            jac[i] = g.get(0).toDoubleArray();
        }
        return jac;
    }

    /** log|det A| by Gaussian elimination with partial pivoting. */
    public static double logAbsDet(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            swap(m, c, pivot(m, c));
            double piv = m[c][c];
            sum += Math.log(Math.abs(piv));
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / piv;
                for (int k = c; k < n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        return sum;
    }

    /** Partial pivoting: the row at or below c with the largest |m[r][c]|. */
    private static int pivot(double[][] m, int c) {
        int p = c;
        for (int r = c + 1; r < m.length; r++) {
            if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                p = r;
            }
        }
        return p;
    }

    private static void swap(double[][] m, int i, int j) {
        double[] tmp = m[i];
        m[i] = m[j];
        m[j] = tmp;
    }

    /**
     * How far rounding in the entries of {@code a} can move log|det a|: the first-order change of
     * log|det a| is trace(a^-1 da), so entries each off by a relative u move it by at most
     * u * sum_ij |a_ij (a^-1)_ji|, and this returns that sum (n for a diagonal matrix, and about
     * 2 (|a00 a11| + |a01 a10|) / |det a| for a 2x2 one). Large when det a is a small difference of
     * large products.
     */
    public static double logAbsDetCondition(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
            inv[i][i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = pivot(m, c);
            swap(m, c, p);
            swap(inv, c, p);
            double piv = m[c][c];
            for (int k = 0; k < n; k++) {
                m[c][k] /= piv;
                inv[c][k] /= piv;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c];
                    for (int k = 0; k < n; k++) {
                        m[r][k] -= f * m[c][k];
                        inv[r][k] -= f * inv[c][k];
                    }
                }
            }
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sum += Math.abs(a[i][j] * inv[j][i]);
            }
        }
        return sum;
    }

    public static List<double[]> rows(Tensor x) {
        List<double[]> out = new ArrayList<>();
        int n = x.size(0);
        int d = x.size(1);
        double[] all = x.toDoubleArray();
        for (int i = 0; i < n; i++) {
            double[] r = new double[d];
            System.arraycopy(all, i * d, r, 0, d);
            out.add(r);
        }
        return out;
    }

    static Tensor row(double[] r) {
        return Tensor.of(DType.FLOAT64, r, 1, r.length);
    }
}
