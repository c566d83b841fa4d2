// Fuzzes an MNIST-style image and label file pair: `IDXFile.decode(_:source:)` on each, then
// `IDXDataset.labelledImages(images:imagesSource:labels:labelsSource:classNames:)`, then the first
// and last images as a batch. The input is two files (see `Fuzzer.split`): images, then labels.
//
// Promises checked: rejection only with `IDXError` or `DatasetError` naming the file at fault; an
// accepted pair has one label per image, each a class, and its images read back as `byte / 255`.

import ContinualData
import Foundation
import FuzzSupport

let classNames = IDXDataset.mnist.classNames

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let (imageBytes, labelBytes) = Fuzzer.split(Fuzzer.data(data, size))
  let imagesSource = "fuzz/train-images-idx3-ubyte", labelsSource = "fuzz/train-labels-idx1-ubyte"
  do {
    let images = try IDXFile.decode(imageBytes, source: imagesSource)
    let labels = try IDXFile.decode(labelBytes, source: labelsSource)
    let set = try IDXDataset.labelledImages(
      images: images, imagesSource: imagesSource, labels: labels, labelsSource: labelsSource, classNames: classNames)
    Fuzzer.require(
      set.count == labels.bytes.count && set.count == images.dimensions[0],
      "\(set.count) images from \(images.dimensions)")
    Fuzzer.require(set.labels.allSatisfy { (0..<classNames.count).contains($0) }, "a label outside the classes")
    Fuzzer.require(
      set.sampleShape == [1, images.dimensions[1], images.dimensions[2]], "sample shape \(set.sampleShape)")
    guard set.count > 0 else { return 0 }
    let size = images.dimensions[1] * images.dimensions[2]
    let batch = try set.inputs(at: [0, set.count - 1])
    Fuzzer.require(batch.shape == [2, 1, images.dimensions[1], images.dimensions[2]], "batch shape \(batch.shape)")
    let expected = (images.bytes[..<size] + images.bytes[(images.bytes.count - size)...]).map { Float($0) / 255 }
    Fuzzer.require(batch.scalars == expected, "the batch is not the images' bytes / 255")
  } catch let error as IDXError {
    let text = error.description
    Fuzzer.require(
      text.hasPrefix(imagesSource + ":") || text.hasPrefix(labelsSource + ":"), "the message names no file: \(text)")
  } catch let error as DatasetError {
    let text = error.description
    Fuzzer.require(text.contains(imagesSource) || text.contains(labelsSource), "the message names no file: \(text)")
  } catch {
    Fuzzer.untyped(error)
  }
  return 0
}

Fuzzer.run()
