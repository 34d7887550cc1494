package io.ava.it.scenarios;

import static io.ava.it.scenarios.Conf.*;
import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.util.Arrays;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_image_desc;
import org.jocl.cl_image_format;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_sampler;
import org.jocl.cl_sampler_properties;

/**
 * A kernel reading an image through a sampler argument and writing another image; samplers from clCreateSampler
 * (deprecated) and clCreateSamplerWithProperties; clGetSamplerInfo; a kernel with a constant (in-source) sampler.
 */
public class ImageKernels {

    static final String SOURCE = ""
        + "__kernel void shift(read_only image2d_t src, sampler_t s, write_only image2d_t dst, const int dx) {\n"
        + "    int2 p = (int2)(get_global_id(0), get_global_id(1));\n"
        + "    float4 v = read_imagef(src, s, p + (int2)(dx, 0));\n"
        + "    write_imagef(dst, p, v * 2.0f);\n"
        + "}\n"
        + "__kernel void shiftn(read_only image2d_t src, sampler_t s, write_only image2d_t dst, const int dx) {\n"
        + "    int2 p = (int2)(get_global_id(0), get_global_id(1));\n"
        + "    float2 n = ((float2)(p.x + dx, p.y) + 0.5f) / (float2)(get_image_width(src), get_image_height(src));\n"
        + "    write_imagef(dst, p, read_imagef(src, s, n) * 2.0f);\n"
        + "}\n"
        + "__constant sampler_t fixed = CLK_NORMALIZED_COORDS_FALSE | CLK_ADDRESS_CLAMP | CLK_FILTER_NEAREST;\n"
        + "__kernel void clampread(read_only image2d_t src, __global float* out) {\n"
        + "    int i = get_global_id(0);\n"
        + "    out[i] = read_imagef(src, fixed, (int2)(i - 2, 0)).x;\n"
        + "}\n";

    static cl_mem image(Conf c, long flags, int w, int h, float[] init) {
        cl_image_format f = new cl_image_format();
        f.image_channel_order = CL_RGBA;
        f.image_channel_data_type = CL_FLOAT;
        cl_image_desc d = new cl_image_desc();
        d.image_type = CL_MEM_OBJECT_IMAGE2D;
        d.image_width = w;
        d.image_height = h;
        return clCreateImage(c.ctx, flags | (init != null ? CL_MEM_COPY_HOST_PTR : 0), f, d, init != null ? Pointer.to(init) : null, null);
    }

    static int samplerInt(cl_sampler s, int param) {
        int[] v = new int[1];
        clGetSamplerInfo(s, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static float[] row(float[] px, int w) {
        float[] r = new float[w];
        for (int x = 0; x < w; x++) {
            r[x] = px[x * 4];
        }
        return r;
    }

    public static void main(String[] args) {
        Conf c = Conf.open();
        cl_program program = c.build(SOURCE);
        cl_kernel shift = clCreateKernel(program, "shift", null);
        int w = 6;
        int h = 2;
        float[] init = new float[w * h * 4];
        for (int i = 0; i < w * h; i++) {
            init[i * 4] = i;
            init[i * 4 + 3] = 1f;
        }
        cl_mem src = image(c, CL_MEM_READ_ONLY, w, h, init);
        cl_mem dst = image(c, CL_MEM_WRITE_ONLY, w, h, null);

        // 1. clCreateSampler: unnormalized, clamp-to-edge, nearest
        cl_sampler s1 = clCreateSampler(c.ctx, false, CL_ADDRESS_CLAMP_TO_EDGE, CL_FILTER_NEAREST, null);
        out("sampler 1 info: normalized " + (samplerInt(s1, CL_SAMPLER_NORMALIZED_COORDS) != 0) + ", addressing "
            + stringFor_cl_addressing_mode(samplerInt(s1, CL_SAMPLER_ADDRESSING_MODE)) + ", filter "
            + stringFor_cl_filter_mode(samplerInt(s1, CL_SAMPLER_FILTER_MODE)) + ", refcount " + samplerInt(s1, CL_SAMPLER_REFERENCE_COUNT));
        cl_context sctx = new cl_context();
        clGetSamplerInfo(s1, CL_SAMPLER_CONTEXT, Sizeof.cl_context, Pointer.to(sctx), null);
        check("CL_SAMPLER_CONTEXT equals the context", c.ctx.equals(sctx));
        clSetKernelArg(shift, 0, Sizeof.cl_mem, Pointer.to(src));
        clSetKernelArg(shift, 1, Sizeof.cl_sampler, Pointer.to(s1));
        clSetKernelArg(shift, 2, Sizeof.cl_mem, Pointer.to(dst));
        clSetKernelArg(shift, 3, Sizeof.cl_int, Pointer.to(new int[] {2}));
        clEnqueueNDRangeKernel(c.queue, shift, 2, null, new long[] {w, h}, null, 0, null, null);
        float[] px = new float[w * h * 4];
        clEnqueueReadImage(c.queue, dst, CL_TRUE, new long[] {0, 0, 0}, new long[] {w, h, 1}, 0, 0, Pointer.to(px), 0, null, null);
        out("shift by 2, clamp to edge, row 0: " + Arrays.toString(row(px, w)));

        // 2. clCreateSamplerWithProperties: CL_ADDRESS_CLAMP (border is 0), normalized coordinates by default.
        // (CL_SAMPLER_NORMALIZED_COORDS=CL_FALSE is left out: JOCL's native code treats the 0 value as the end of the
        // list, and PoCL then reads past it: CL_INVALID_VALUE in some runs, success in others)
        cl_sampler_properties sp = new cl_sampler_properties();
        sp.addProperty(CL_SAMPLER_ADDRESSING_MODE, CL_ADDRESS_CLAMP);
        sp.addProperty(CL_SAMPLER_FILTER_MODE, CL_FILTER_NEAREST);
        cl_sampler s2 = clCreateSamplerWithProperties(c.ctx, sp, null);
        out("sampler 2 info: normalized " + (samplerInt(s2, CL_SAMPLER_NORMALIZED_COORDS) != 0) + ", addressing "
            + stringFor_cl_addressing_mode(samplerInt(s2, CL_SAMPLER_ADDRESSING_MODE)) + ", filter "
            + stringFor_cl_filter_mode(samplerInt(s2, CL_SAMPLER_FILTER_MODE)));
        cl_kernel shiftn = clCreateKernel(program, "shiftn", null);
        clSetKernelArg(shiftn, 0, Sizeof.cl_mem, Pointer.to(src));
        clSetKernelArg(shiftn, 1, Sizeof.cl_sampler, Pointer.to(s2));
        clSetKernelArg(shiftn, 2, Sizeof.cl_mem, Pointer.to(dst));
        clSetKernelArg(shiftn, 3, Sizeof.cl_int, Pointer.to(new int[] {2}));
        clEnqueueNDRangeKernel(c.queue, shiftn, 2, null, new long[] {w, h}, null, 0, null, null);
        clEnqueueReadImage(c.queue, dst, CL_TRUE, new long[] {0, 0, 0}, new long[] {w, h, 1}, 0, 0, Pointer.to(px), 0, null, null);
        out("shift by 2, clamp (border 0), row 1: " + Arrays.toString(row(Arrays.copyOfRange(px, w * 4, 2 * w * 4), w)));

        // 3. the in-source constant sampler
        cl_kernel clampread = clCreateKernel(program, "clampread", null);
        cl_mem out = clCreateBuffer(c.ctx, CL_MEM_WRITE_ONLY, 4L * 8, null, null);
        clSetKernelArg(clampread, 0, Sizeof.cl_mem, Pointer.to(src));
        clSetKernelArg(clampread, 1, Sizeof.cl_mem, Pointer.to(out));
        clEnqueueNDRangeKernel(c.queue, clampread, 1, null, new long[] {8}, null, 0, null, null);
        float[] o = new float[8];
        clEnqueueReadBuffer(c.queue, out, CL_TRUE, 0, 32, Pointer.to(o), 0, null, null);
        out("constant-sampler reads x-2 for x in 0..7: " + Arrays.toString(o));

        // 4. sampler refcounts and errors
        clRetainSampler(s1);
        expect("sampler refcount after retain", 2, samplerInt(s1, CL_SAMPLER_REFERENCE_COUNT));
        clReleaseSampler(s1);
        out("normalized coords with CL_ADDRESS_REPEAT and linear filter: " + thrown(() -> clReleaseSampler(clCreateSampler(c.ctx, true,
            CL_ADDRESS_REPEAT, CL_FILTER_LINEAR, null))));
        out("bad addressing mode (exceptions on): " + thrown(() -> clCreateSampler(c.ctx, false, 0x7777, CL_FILTER_NEAREST, null)));
        // A buffer given for a sampler argument, or a sampler for an image one, is not printed here: PoCL takes both
        // (and would follow the wrong object at launch), ava answers CL_INVALID_SAMPLER / CL_INVALID_MEM_OBJECT as the
        // spec says (README, "Kernel argument info"; DispatcherChecksTest checks it).

        clReleaseSampler(s1);
        clReleaseSampler(s2);
        release(shift, shiftn, clampread);
        release(src, dst, out);
        clReleaseProgram(program);
        c.close();
        finish("ImageKernels");
    }
}
