/// The subject common name and organizations of a DER X.509 certificate (just enough DER to walk
/// `Certificate → tbsCertificate → subject`), for client-certificate authentication: CN is the user, each O a group.
enum CertificateSubject {
    struct Parsed: Equatable {
        var commonName: String
        var organizations: [String]
    }

    static func parse(_ der: [UInt8]) -> Parsed? {
        var reader = DER(bytes: der[...])
        guard let certificate = reader.next(), certificate.tag == 0x30 else { return nil }
        var certificateReader = DER(bytes: certificate.content)
        guard let tbs = certificateReader.next(), tbs.tag == 0x30 else { return nil }
        var fields = DER(bytes: tbs.content)
        var elements: [DER.Element] = []
        while let element = fields.next() { elements.append(element) }
        // [0] version (optional), serialNumber, signature, issuer, validity, subject.
        let offset = elements.first?.tag == 0xA0 ? 1 : 0
        guard elements.count > offset + 4, elements[offset + 4].tag == 0x30 else { return nil }
        var commonName = ""
        var organizations: [String] = []
        var sets = DER(bytes: elements[offset + 4].content)
        while let set = sets.next() {
            var attributes = DER(bytes: set.content)
            while let attribute = attributes.next() {
                var parts = DER(bytes: attribute.content)
                guard let oid = parts.next(), oid.tag == 0x06, let value = parts.next() else { continue }
                let text = String(decoding: value.content, as: UTF8.self)
                switch Array(oid.content) {
                case [0x55, 0x04, 0x03]: commonName = text
                case [0x55, 0x04, 0x0A]: organizations.append(text)
                default: break
                }
            }
        }
        return Parsed(commonName: commonName, organizations: organizations)
    }

    /// A cursor over consecutive DER elements (definite lengths only).
    struct DER {
        struct Element {
            var tag: UInt8
            var content: ArraySlice<UInt8>
        }

        var bytes: ArraySlice<UInt8>

        mutating func next() -> Element? {
            guard bytes.count >= 2 else { return nil }
            var index = bytes.startIndex
            let tag = bytes[index]
            index += 1
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count > 0, count <= 4, bytes.endIndex - index >= count else { return nil }
                length = 0
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard bytes.endIndex - index >= length else { return nil }
            let content = bytes[index..<(index + length)]
            bytes = bytes[(index + length)...]
            return Element(tag: tag, content: content)
        }
    }
}
