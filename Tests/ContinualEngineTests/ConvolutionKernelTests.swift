import ContinualTesting
import Testing
import _ContinualKernels

@testable import ContinualEngine

/// The implicit-GEMM convolution kernels (`Sources/_ContinualKernels/conv.c`) against plain references:
/// a double-precision direct convolution (every output within `1e-5 · Σ|terms|` of it, the sum of the
/// absolute values of the products it adds: a rounding-error bound, independent of cancellation) and,
/// for the forward pass, im2col + `ck_sgemm` of the same instruction set (bit-identical).
@Suite struct ConvolutionKernelTests {
  /// A convolution's shape: batch, channels, height, width, output channels, kernel side, stride, padding.
  struct Shape: CustomStringConvertible, Sendable {
    let n: Int, c: Int, h: Int, w: Int, o: Int, k: Int, stride: Int, padding: Int
    var geometry: ConvolutionGeometry {
      ConvolutionGeometry(
        batch: n, channels: c, height: h, width: w, kernelHeight: k, kernelWidth: k, stride: stride, padding: padding)
    }
    var description: String { "n\(n) c\(c) \(h)×\(w) o\(o) k\(k) s\(stride) p\(padding)" }
  }

  /// ResNet-32's and zenke's layers (fewer images), and edges: planes that are not a multiple of
  /// any panel width, a single output column, 1×1 and 5×5 kernels, K above one GEMM depth block
  /// (64·9 = 576 > 256), more output channels than one row block (80 > 72), and many images of one
  /// output each (the stride-1 weight gradient's depth blocks then span 20 images, and its ring of
  /// padded images wraps around).
  static let shapes: [Shape] = [
    Shape(n: 3, c: 16, h: 32, w: 32, o: 16, k: 3, stride: 1, padding: 1),
    Shape(n: 2, c: 32, h: 8, w: 8, o: 64, k: 3, stride: 2, padding: 1),
    Shape(n: 2, c: 64, h: 8, w: 8, o: 64, k: 3, stride: 1, padding: 1),
    Shape(n: 2, c: 32, h: 32, w: 32, o: 32, k: 3, stride: 1, padding: 0),
    Shape(n: 2, c: 3, h: 32, w: 32, o: 32, k: 3, stride: 1, padding: 1),
    Shape(n: 3, c: 5, h: 7, w: 9, o: 7, k: 3, stride: 1, padding: 1),
    Shape(n: 2, c: 4, h: 6, w: 5, o: 3, k: 3, stride: 1, padding: 2),
    Shape(n: 2, c: 6, h: 9, w: 11, o: 13, k: 5, stride: 1, padding: 2),
    Shape(n: 2, c: 6, h: 9, w: 11, o: 13, k: 1, stride: 1, padding: 0),
    Shape(n: 3, c: 4, h: 9, w: 7, o: 5, k: 3, stride: 2, padding: 0),
    Shape(n: 2, c: 3, h: 3, w: 3, o: 80, k: 3, stride: 1, padding: 0),
    Shape(n: 1, c: 9, h: 13, w: 13, o: 8, k: 3, stride: 3, padding: 1),
    Shape(n: 40, c: 2, h: 3, w: 3, o: 5, k: 3, stride: 1, padding: 0),
  ]

  /// `y`, and per output `Σ|terms|`, of the direct convolution in double precision.
  static func referenceForward(_ s: Shape, x: [Float], w: [Float]) -> (value: [Double], scale: [Double]) {
    let g = s.geometry
    var y = [Double](repeating: 0, count: s.n * s.o * g.outputPlane), scale = y
    for n in 0..<s.n {
      for o in 0..<s.o {
        for oy in 0..<g.outputHeight {
          for ox in 0..<g.outputWidth {
            var total = 0.0, magnitude = 0.0
            for c in 0..<s.c {
              for ky in 0..<s.k {
                for kx in 0..<s.k {
                  let iy = oy * s.stride + ky - s.padding, ix = ox * s.stride + kx - s.padding
                  guard iy >= 0, iy < s.h, ix >= 0, ix < s.w else { continue }
                  let xi = ((n * s.c + c) * s.h + iy) * s.w + ix, wi = ((o * s.c + c) * s.k + ky) * s.k + kx
                  let term = Double(x[xi]) * Double(w[wi])
                  total += term
                  magnitude += Swift.abs(term)
                }
              }
            }
            let index = ((n * s.o + o) * g.outputHeight + oy) * g.outputWidth + ox
            y[index] = total
            scale[index] = magnitude
          }
        }
      }
    }
    return (y, scale)
  }

  /// The input and weight gradients, and their `Σ|terms|`, of the direct convolution in double.
  static func referenceBackward(
    _ s: Shape, x: [Float], w: [Float], dy: [Float]
  ) -> (dx: [Double], dxScale: [Double], dw: [Double], dwScale: [Double]) {
    let g = s.geometry
    var dx = [Double](repeating: 0, count: x.count), dxScale = dx
    var dw = [Double](repeating: 0, count: w.count), dwScale = dw
    for n in 0..<s.n {
      for o in 0..<s.o {
        for oy in 0..<g.outputHeight {
          for ox in 0..<g.outputWidth {
            let d = Double(dy[((n * s.o + o) * g.outputHeight + oy) * g.outputWidth + ox])
            for c in 0..<s.c {
              for ky in 0..<s.k {
                for kx in 0..<s.k {
                  let iy = oy * s.stride + ky - s.padding, ix = ox * s.stride + kx - s.padding
                  guard iy >= 0, iy < s.h, ix >= 0, ix < s.w else { continue }
                  let xi = ((n * s.c + c) * s.h + iy) * s.w + ix, wi = ((o * s.c + c) * s.k + ky) * s.k + kx
                  dx[xi] += d * Double(w[wi])
                  dxScale[xi] += Swift.abs(d * Double(w[wi]))
                  dw[wi] += d * Double(x[xi])
                  dwScale[wi] += Swift.abs(d * Double(x[xi]))
                }
              }
            }
          }
        }
      }
    }
    return (dx, dxScale, dw, dwScale)
  }

  /// The largest `|actual − reference| / (Σ|terms| + 1e-30)` (0 when every term is zero and so is the output).
  static func worstRelativeError(_ actual: [Float], _ reference: [Double], _ scale: [Double]) -> Double {
    zip(zip(actual, reference), scale).map { pair, s in Swift.abs(Double(pair.0) - pair.1) / (s + 1e-30) }.max() ?? 0
  }

  static func data(_ s: Shape, seed: UInt64) -> (x: [Float], w: [Float], dy: [Float]) {
    let g = s.geometry
    return (
      TestData.uniform([s.n, s.c, s.h, s.w], seed: seed).scalars,
      TestData.uniform([s.o, s.c, s.k, s.k], seed: seed + 1).scalars,
      TestData.uniform([s.n, s.o, g.outputHeight, g.outputWidth], seed: seed + 2).scalars
    )
  }

  static func forward(level: Int32, _ s: Shape, x: [Float], w: [Float]) -> [Float] {
    var y = [Float](repeating: .nan, count: s.n * s.o * s.geometry.outputPlane)
    ck_conv2d_forward_at(level, s.n, s.c, s.h, s.w, x, s.o, s.k, s.k, w, s.stride, s.padding, &y)
    return y
  }

  /// im2col and `ck_sgemm_at` per image: the computation the forward kernel replaces.
  static func forwardByIm2col(level: Int32, _ s: Shape, x: [Float], w: [Float]) -> [Float] {
    let g = s.geometry
    var y = [Float](repeating: .nan, count: s.n * s.o * g.outputPlane)
    var cols = [Float](repeating: 0, count: g.patchSize * g.outputPlane)
    x.withUnsafeBufferPointer { xp in
      for n in 0..<s.n {
        cols.withUnsafeMutableBufferPointer { c in
          g.im2col(xp.baseAddress! + n * s.c * s.h * s.w, c.baseAddress!)
        }
        y.withUnsafeMutableBufferPointer { yp in
          ck_sgemm_at(
            level, 0, 0, s.o, g.outputPlane, g.patchSize, 1, w, g.patchSize, cols, g.outputPlane, 0,
            yp.baseAddress! + n * s.o * g.outputPlane, g.outputPlane)
        }
      }
    }
    return y
  }

  @Test(arguments: [Int32(0), 1, 2])
  func forwardMatchesTheReferences(level: Int32) {
    for (i, s) in Self.shapes.enumerated() {
      let (x, w, _) = Self.data(s, seed: UInt64(10 * i))
      let y = Self.forward(level: level, s, x: x, w: w)
      let (reference, scale) = Self.referenceForward(s, x: x, w: w)
      let worst = Self.worstRelativeError(y, reference, scale)
      #expect(worst <= 1e-5, "level \(level) \(s): relative error \(worst)")
      #expect(y == Self.forwardByIm2col(level: level, s, x: x, w: w), "level \(level) \(s): differs from im2col + GEMM")
    }
  }

  @Test(arguments: [Int32(0), 1, 2])
  func gradientsMatchTheReference(level: Int32) {
    for (i, s) in Self.shapes.enumerated() {
      let (x, w, dy) = Self.data(s, seed: UInt64(10 * i + 3))
      let reference = Self.referenceBackward(s, x: x, w: w, dy: dy)
      var dw = [Float](repeating: .nan, count: w.count)
      ck_conv2d_weight_gradient_at(level, s.n, s.c, s.h, s.w, x, s.o, s.k, s.k, dy, s.stride, s.padding, 0, &dw)
      let worstWeight = Self.worstRelativeError(dw, reference.dw, reference.dwScale)
      #expect(worstWeight <= 1e-5, "level \(level) \(s): weight gradient relative error \(worstWeight)")
      // beta = 1 adds to what is there.
      var twice = dw
      ck_conv2d_weight_gradient_at(level, s.n, s.c, s.h, s.w, x, s.o, s.k, s.k, dy, s.stride, s.padding, 1, &twice)
      let worstTwice = Self.worstRelativeError(
        twice.map { $0 / 2 }, reference.dw, reference.dwScale)
      #expect(worstTwice <= 1e-5, "level \(level) \(s): accumulated weight gradient relative error \(worstTwice)")
      guard Tensor.hasDirectInputGradient(s.geometry) else { continue }
      var dx = [Float](repeating: .nan, count: x.count)
      ck_conv2d_input_gradient_at(level, s.n, s.c, s.h, s.w, dy, s.o, s.k, s.k, w, s.padding, &dx)
      let worstInput = Self.worstRelativeError(dx, reference.dx, reference.dxScale)
      #expect(worstInput <= 1e-5, "level \(level) \(s): input gradient relative error \(worstInput)")
    }
  }

  /// The engine's entry points (threads over the batch, bias, strided input gradients through
  /// im2col) against the im2col path they replace.
  @Test func tensorConvolutionMatchesTheIm2colPath() throws {
    for (i, s) in Self.shapes.enumerated() {
      let (x, w, dy) = Self.data(s, seed: UInt64(10 * i + 6))
      let g = s.geometry
      let input = try Tensor(shape: [s.n, s.c, s.h, s.w], scalars: x)
      let weight = try Tensor(shape: [s.o, s.c, s.k, s.k], scalars: w)
      let bias = TestData.uniform([s.o], seed: UInt64(i))
      let gradient = try Tensor(shape: [s.n, s.o, g.outputHeight, g.outputWidth], scalars: dy)
      let y = Tensor.convolution2D(input: input, weight: weight, bias: bias, geometry: g)
      #expect(y == Tensor.convolution2DByIm2col(input: input, weight: weight, bias: bias, geometry: g), "\(s)")
      let new = Tensor.convolution2DBackward(
        outputGradient: gradient, input: input, weight: weight, geometry: g, needInput: true, needWeight: true)
      let old = Tensor.convolution2DBackwardByIm2col(
        outputGradient: gradient, input: input, weight: weight, geometry: g, needInput: true, needWeight: true)
      let reference = Self.referenceBackward(s, x: x, w: w, dy: dy)
      for (name, value, expected, scale) in [
        ("input", new.input!, reference.dx, reference.dxScale),
        ("weight", new.weight!, reference.dw, reference.dwScale),
        ("im2col input", old.input!, reference.dx, reference.dxScale),
      ] {
        #expect(value.shape == (name.hasSuffix("weight") ? weight.shape : input.shape), "\(s) \(name)")
        let worst = Self.worstRelativeError(value.scalars, expected, scale)
        #expect(worst <= 1e-5, "\(s) \(name) gradient: relative error \(worst)")
      }
    }
  }
}
