// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title xray: roles, state, errors and events shared by the X-ray contracts
/// @notice The government account (the deployer) grants and removes permissions; a host
/// (hospital) keeps the patient's birthday and contact; doctors record image hashes.
abstract contract xray {
    /// Roles. Index 1 is Doctor, as `setPermission(doctor, 'Dr.Lee', 1, true)` expects.
    enum UserType { None, Doctor, Host, Gov, Patient }
    enum Gender { Male, Female, Other }
    enum BloodType { A, B, AB, O }
    /// Where a requester stands with the patient: asked, approved, denied, or revoked after approval.
    enum Access { None, Requested, Approved, Denied, Revoked }

    /// A permission granted by gov. `removed` remembers the role an account lost, so that
    /// a refusal can say "the permission was removed" rather than "never had it".
    struct User {
        string name;
        UserType role;
        bool enabled;
        UserType removed;
    }

    /// One image hash record: 3 storage slots (hash; author + time; part). Records added by
    /// setXrayhashes are not stored one by one: their slots stay zero and a Run holds them.
    struct XrayRecord {
        bytes32 hash;
        address author;
        uint64 time;
        string part;
    }

    /// Records first .. first + count - 1, added by one setXrayhashes call: their hashes are
    /// the code of the contract `data` (after a 0x00 byte, 32 bytes each), since deployed code
    /// costs 200 gas a byte against 22,100 gas a storage slot. 3 slots (4 for a 32-byte part).
    struct Run {
        address data;
        uint64 first;
        uint32 count;
        address author;
        uint64 time;
        string part;
    }

    /// A data set anchored as one Merkle root: author, time and size share one slot.
    struct Batch {
        address author;
        uint64 time;
        uint32 count;
    }

    /// A classifier's verdict on one image record (Medchain's "deep-learning prediction"):
    /// 3 slots (model; author + time + confidence; label).
    struct Prediction {
        bytes32 model; // SHA-256 of the ONNX file that made it
        address author;
        uint64 time;
        uint16 confidence; // the winning class's probability in basis points, 0-10000
        string label;
    }

    struct Profile {
        string name;
        address patient;
        uint8 age;
        Gender gender;
        BloodType bloodType;
        uint32 birthday; // YYYYMMDD as a number; 0 = not set
        string contact;
    }

    /// The account that deployed the contract; the only one that grants permissions.
    address internal immutable _gov;
    /// The patient whose images and access this contract keeps (immutable: no storage read to check).
    address internal immutable _patient;
    Profile internal _profile;
    mapping(address => User) internal _users;
    XrayRecord[] internal _records;
    mapping(bytes32 => Batch) internal _batches;
    /// Each requester's access to the patient's images: one slot per requester.
    mapping(address => Access) internal _access;
    /// Record index => the latest prediction for that image.
    mapping(uint256 => Prediction) internal _predictions;
    /// 1 + the record index of the latest prediction, for the patient page; 0 = none yet.
    uint256 internal _lastPredicted;
    /// Runs of records added by setXrayhashes, in record order.
    Run[] internal _runs;

    /// `account` does not hold `needed`.
    error MissingRole(address account, UserType needed);
    /// `account` holds `role`, but gov has disabled it.
    error PermissionDisabled(address account, UserType role);
    /// `account` held `role`, but the permission was removed.
    error PermissionRemoved(address account, UserType role);
    /// Only Doctor and Host can be granted with setPermission.
    error InvalidUserType(uint8 userType);
    /// The account has no permission to remove.
    error NoPermission(address account);
    /// The zero address is not an account.
    error ZeroAddress();
    /// There is no record at `index`; `count` records exist.
    error IndexOutOfRange(uint256 index, uint256 count);
    /// A profile field is out of its range (gender 0-2, blood type 0-3) or empty.
    error InvalidProfile(string field);
    /// The body part must be 1 to 32 bytes.
    error InvalidPart(string part);
    /// `root` was anchored before, by `author` at `time`.
    error AlreadyAnchored(bytes32 root, address author, uint64 time);
    /// A batch needs a non-zero root and at least one image.
    error EmptyBatch();
    /// The step is not allowed while `requester`'s access is `status` (e.g. approving twice a denied request).
    error InvalidAccess(address requester, Access status);
    /// The patient cannot request, or be granted, access to their own images.
    error SelfRequest();
    /// A shared image needs its CID and SHA-256; a request needs a public key; an approval one image at least.
    error MissingData(string field);
    /// A prediction needs a label of 1 to 32 bytes, a confidence of at most 10000 and a model hash.
    error InvalidPrediction(string field);

    event ProfileCreated(address indexed patient, string name, uint8 age, Gender gender, BloodType bloodType);
    event PermissionSet(address indexed account, UserType indexed userType, string name, bool enabled, address indexed by);
    event PermissionRevoked(address indexed account, UserType indexed userType, address indexed by);
    event XrayhashSet(uint256 indexed index, address indexed author, string part, bytes32 indexed hash);
    event BatchAnchored(bytes32 indexed root, address indexed author, uint32 count, string label);
    event BirthdaySet(uint32 birthday, address indexed by);
    event ContactSet(string contact, address indexed by);
    /// An encrypted image on IPFS: `cidKey` is keccak256(cid) (so it can be searched), `cid`
    /// the CID's bytes, `sha256` the original image's SHA-256. PCIM's "create".
    event ImageShared(bytes32 indexed cidKey, address indexed sender, address indexed receiver, bytes cid, bytes32 sha256, string description);
    event AccessRequested(address indexed requester, bytes publicKey, string notes);
    /// The patient re-encrypted the image with SHA-256 `sha256` for `requester`: its new CID.
    event AccessApproved(address indexed requester, bytes32 indexed cidKey, bytes cid, bytes32 sha256);
    event AccessDenied(address indexed requester, string reason);
    /// Authorization success (true) or failure (false), as checked by `by`.
    event AccessTraced(address indexed requester, address indexed by, bool authorized);
    event AccessRevoked(address indexed requester);
    /// A classifier's verdict on record `index`: `label` with `confidence` basis points, by the model with SHA-256 `model`.
    event PredictionSet(uint256 indexed index, address indexed author, string label, uint16 confidence, bytes32 model);

    modifier onlyRole(UserType role) {
        _checkRole(msg.sender, role);
        _;
    }

    constructor(string memory name, address patient_, uint8 age, uint8 gender, uint8 bloodType) {
        if (patient_ == address(0)) revert ZeroAddress();
        if (bytes(name).length == 0) revert InvalidProfile("name");
        if (gender > uint8(type(Gender).max)) revert InvalidProfile("gender");
        if (bloodType > uint8(type(BloodType).max)) revert InvalidProfile("bloodType");
        _gov = msg.sender;
        _patient = patient_;
        _profile.name = name;
        _profile.patient = patient_;
        _profile.age = age;
        _profile.gender = Gender(gender);
        _profile.bloodType = BloodType(bloodType);
        emit ProfileCreated(patient_, name, age, Gender(gender), BloodType(bloodType));
    }

    /// @notice The account that grants and removes permissions (the deployer).
    function gov() public view virtual returns (address) {
        return _gov;
    }

    /// @notice The patient whose images and access this contract keeps.
    function patient() public view virtual returns (address) {
        return _patient;
    }

    /// @dev Reverts with MissingRole, PermissionRemoved or PermissionDisabled. Virtual: a
    /// hospital's patient contract (hospital.sol) also asks the hospital-wide roles.
    function _checkRole(address account, UserType role) internal view virtual {
        if (role == UserType.Gov) {
            if (account != _gov) revert MissingRole(account, role);
            return;
        }
        if (role == UserType.Patient) {
            if (account != _patient) revert MissingRole(account, role);
            return;
        }
        User storage user = _users[account];
        if (user.role != role) {
            if (user.removed == role) revert PermissionRemoved(account, role);
            revert MissingRole(account, role);
        }
        if (!user.enabled) revert PermissionDisabled(account, role);
    }

    function _setPermission(address account, string memory name, uint8 userType, bool enabled) internal {
        if (account == address(0)) revert ZeroAddress();
        if (userType != uint8(UserType.Doctor) && userType != uint8(UserType.Host)) revert InvalidUserType(userType);
        User storage user = _users[account];
        user.name = name;
        user.role = UserType(userType);
        user.enabled = enabled;
        user.removed = UserType.None;
        emit PermissionSet(account, UserType(userType), name, enabled, msg.sender);
    }

    function _removePermission(address account) internal {
        User storage user = _users[account];
        UserType role = user.role;
        if (role == UserType.None) revert NoPermission(account);
        user.role = UserType.None;
        user.enabled = false;
        user.removed = role;
        emit PermissionRevoked(account, role, msg.sender);
    }

    function _addRecord(string memory part, bytes32 hash) internal returns (uint256 index) {
        uint256 length = bytes(part).length; // inline, not _checkPart: 23 gas less a record
        if (length == 0 || length > 32) revert InvalidPart(part);
        index = _records.length;
        _records.push(XrayRecord({hash: hash, author: msg.sender, time: uint64(block.timestamp), part: part}));
        emit XrayhashSet(index, msg.sender, part, hash);
    }

    /// @dev OpenZeppelin's StandardMerkleTree leaf for one bytes32 value, hashed twice so a
    /// leaf can never pass for an inner node.
    function _leaf(bytes32 imageHash) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(imageHash))));
    }

    /// @dev The root a leaf and its proof lead to, hashing each pair in sorted order.
    function _merkleRoot(bytes32 leaf, bytes32[] calldata proof) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            bytes32 p = proof[i];
            node = node < p ? keccak256(abi.encode(node, p)) : keccak256(abi.encode(p, node));
        }
    }

    function _checkPart(string memory part) internal pure {
        uint256 length = bytes(part).length;
        if (length == 0 || length > 32) revert InvalidPart(part);
    }

    function _checkIndex(uint256 index) internal view {
        if (index >= _records.length) revert IndexOutOfRange(index, _records.length);
    }

    /// @dev Record `index`, stored on its own or in a run (its own slots then hold zero: a
    /// stored hash is never zero).
    function _record(uint256 index) internal view returns (XrayRecord memory) {
        _checkIndex(index);
        XrayRecord storage s = _records[index];
        if (s.hash != bytes32(0)) return s;
        return _runRecord(_runs[_runOf(index)], index);
    }

    /// @dev The run holding record `index`: the last run starting at or before it.
    function _runOf(uint256 index) internal view returns (uint256 lo) {
        uint256 hi = _runs.length;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (_runs[mid].first <= index) lo = mid;
            else hi = mid;
        }
    }

    /// @dev Record `index` of `run`: its hash read from the run's code, the rest shared.
    function _runRecord(Run memory run, uint256 index) internal view returns (XrayRecord memory r) {
        address data = run.data;
        uint256 offset = 1 + 32 * (index - run.first);
        bytes32 hash;
        assembly {
            extcodecopy(data, 0, offset, 32) // scratch space
            hash := mload(0)
        }
        return XrayRecord({hash: hash, author: run.author, time: run.time, part: run.part});
    }
}
