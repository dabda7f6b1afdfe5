// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "./xray.sol";
import "./strlib.sol";

/// @title xr: one patient's X-ray records, profile and permissions
/// @notice Deployed as `xr('Ken', <patient address>, 25, 0, 1)`: name, patient, age,
/// gender (0 male, 1 female, 2 other), blood type (0 A, 1 B, 2 AB, 3 O).
contract xr is xray {
    constructor(string memory name, address patient_, uint8 age, uint8 gender, uint8 bloodType)
        xray(name, patient_, age, gender, bloodType)
    {}

    /// @notice Grants `account` a role (1 Doctor, 2 Host) under `name`; `enabled` false
    /// keeps the grant but suspends it.
    /// Requirements: caller is gov; `userType` is Doctor or Host. Emits PermissionSet.
    function setPermission(address account, string calldata name, uint8 userType, bool enabled)
        external
        onlyRole(UserType.Gov)
    {
        _setPermission(account, name, userType, enabled);
    }

    /// @notice Removes `account`'s permission. Gov may remove anyone; an account may
    /// remove its own (a doctor who resigns). Emits PermissionRevoked.
    function removePermission(address account) external {
        if (msg.sender != account) _checkRole(msg.sender, UserType.Gov);
        _removePermission(account);
    }

    /// @notice Records the SHA-256 `hash` (64 hex digits) of an image of body `part`.
    /// Requirements: caller is an enabled Doctor. Emits XrayhashSet.
    function setXrayhash(string calldata part, string calldata hash) external onlyRole(UserType.Doctor) {
        _addRecord(part, strlib.parseHash(hash));
    }

    /// @notice Records many images' SHA-256 `hashes` of body `part` in one transaction, one
    /// record each, as that many setXrayhash calls would: the same checks, the same records
    /// (getXrayhash(i) returns the same strings), one XrayhashSet event per record, in order.
    /// Two or more hashes are stored as runs of up to 767 (see Run): the hashes become the code
    /// of a small contract, about 10,000 gas a record instead of 70,000 for three storage slots.
    /// Requirements: caller is an enabled Doctor; `part` 1-32 bytes; no hash is zero (BadHash).
    /// Emits XrayhashSet for each hash.
    function setXrayhashes(string calldata part, bytes32[] calldata hashes) external onlyRole(UserType.Doctor) {
        uint256 n = hashes.length;
        if (n == 0) return;
        if (n == 1) {
            if (hashes[0] == bytes32(0)) revert strlib.BadHash(strlib.toHex(hashes[0]));
            _addRecord(part, hashes[0]);
            return;
        }
        _checkPart(part);
        bytes memory eventData = abi.encode(part);
        for (uint256 at = 0; at < n; at += RUN_MAX) {
            _addRun(part, hashes[at:at + RUN_MAX < n ? at + RUN_MAX : n], eventData);
        }
    }

    /// Hashes per run: a contract's code is at most 24,576 bytes (EIP-170), one of them the 0x00.
    uint256 private constant RUN_MAX = 767;

    function _addRun(string calldata part, bytes32[] calldata hashes, bytes memory eventData) private {
        uint256 n = hashes.length;
        uint256 first = _records.length;
        bytes32 topic = XrayhashSet.selector;
        for (uint256 i = 0; i < n; i++) {
            bytes32 hash = hashes[i];
            if (hash == bytes32(0)) revert strlib.BadHash(strlib.toHex(hash));
            assembly {
                log4(add(eventData, 32), mload(eventData), topic, add(first, i), caller(), hash)
            }
        }
        // init code: PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN;
        // then the code it returns: STOP (0x00, so a call to it does nothing) and the hashes
        bytes memory init = abi.encodePacked(hex"61", uint16(1 + 32 * n), hex"80600a3d393df3", hex"00", hashes);
        address data;
        assembly {
            data := create(0, add(init, 32), mload(init))
        }
        if (data == address(0)) revert MissingData("run");
        _runs.push(Run({data: data, first: uint64(first), count: uint32(n), author: msg.sender, time: uint64(block.timestamp), part: part}));
        assembly {
            sstore(_records.slot, add(first, n))
        }
    }

    function getXrayhashCount() external view returns (uint256) {
        return _records.length;
    }

    /// @notice Stores a classifier's verdict on record `index` (replacing an earlier one):
    /// `label`, `confidence` in basis points (9731 = 97.31%), `model` the SHA-256 of the model file.
    /// Requirements: caller is an enabled Doctor; the record exists. Emits PredictionSet.
    function setPrediction(uint256 index, string calldata label, uint16 confidence, bytes32 model)
        external
        onlyRole(UserType.Doctor)
    {
        _checkIndex(index);
        uint256 length = bytes(label).length;
        if (length == 0 || length > 32) revert InvalidPrediction("label");
        if (confidence > 10000) revert InvalidPrediction("confidence");
        if (model == bytes32(0)) revert InvalidPrediction("model");
        _predictions[index] = Prediction({model: model, author: msg.sender, time: uint64(block.timestamp), confidence: confidence, label: label});
        _lastPredicted = index + 1;
        emit PredictionSet(index, msg.sender, label, confidence, model);
    }

    /// @notice The prediction stored for record `index` (time 0 = none), with its author's name.
    function getPrediction(uint256 index) external view returns (Prediction memory prediction, string memory authorName) {
        _checkIndex(index);
        prediction = _predictions[index];
        authorName = _users[prediction.author].name;
    }

    /// @notice The most recently stored prediction, for the patient page: `found` false when none.
    function latestPrediction()
        external
        view
        returns (bool found, uint256 index, Prediction memory prediction, string memory authorName)
    {
        if (_lastPredicted == 0) return (false, 0, prediction, "");
        index = _lastPredicted - 1;
        prediction = _predictions[index];
        return (true, index, prediction, _users[prediction.author].name);
    }

    /// @notice The record at `index` as (doctor name, body part, hash as 64 hex digits).
    function getXrayhash(uint256 index) external view returns (string memory, string memory, string memory) {
        XrayRecord memory r = _record(index);
        return (_users[r.author].name, r.part, strlib.toHex(r.hash));
    }

    /// @notice Records `start` .. `start + count - 1` (clipped to the end), with authors' names.
    function getXrayRecords(uint256 start, uint256 count)
        external
        view
        returns (XrayRecord[] memory records, string[] memory names)
    {
        uint256 total = _records.length;
        if (start > total) revert IndexOutOfRange(start, total);
        uint256 end = count > total - start ? total : start + count;
        records = new XrayRecord[](end - start);
        names = new string[](end - start);
        // a run is loaded once for its records, an author's name once for a stretch of theirs
        Run memory run;
        uint256 runAt = type(uint256).max;
        address author;
        string memory name = _users[address(0)].name;
        for (uint256 i = start; i < end; ++i) {
            XrayRecord memory r;
            if (_records[i].hash != bytes32(0)) {
                r = _records[i];
            } else {
                if (runAt == type(uint256).max || i >= run.first + run.count) {
                    runAt = runAt == type(uint256).max ? _runOf(i) : runAt + 1;
                    run = _runs[runAt];
                }
                r = _runRecord(run, i);
            }
            if (r.author != author) {
                author = r.author;
                name = _users[author].name;
            }
            records[i - start] = r;
            names[i - start] = name;
        }
    }

    /// @notice Anchors a data set of `count` images as the root of a Merkle tree over their
    /// SHA-256 hashes (OpenZeppelin StandardMerkleTree, leaf encoding bytes32): one
    /// transaction however many images. `label` names the data set in the event only.
    /// Requirements: caller is an enabled Doctor; `root` not anchored before. Emits BatchAnchored.
    function anchorBatch(bytes32 root, uint32 count, string calldata label) external onlyRole(UserType.Doctor) {
        if (root == bytes32(0) || count == 0) revert EmptyBatch();
        Batch storage b = _batches[root];
        if (b.author != address(0)) revert AlreadyAnchored(root, b.author, b.time);
        _batches[root] = Batch({author: msg.sender, time: uint64(block.timestamp), count: count});
        emit BatchAnchored(root, msg.sender, count, label);
    }

    /// @notice Who anchored `root`, when, and how many images it holds; zeros if never anchored.
    function getBatch(bytes32 root) external view returns (address author, uint64 time, uint32 count) {
        Batch storage b = _batches[root];
        return (b.author, b.time, b.count);
    }

    /// @notice True when `proof` shows the image with SHA-256 `imageHash` is in the anchored batch `root`.
    function verifyAnchored(bytes32 root, bytes32 imageHash, bytes32[] calldata proof) external view returns (bool) {
        return _batches[root].author != address(0) && _merkleRoot(_leaf(imageHash), proof) == root;
    }

    // ---- Patient-centric sharing (PCIM's PCAC-SC): the chain keeps the access state and
    // every step as an event; the images themselves are OpenPGP ciphertext on IPFS.

    /// @notice Records that the image with SHA-256 `imageHash`, encrypted for `receiver`, is on
    /// IPFS as `cid` (the CID's bytes); `description` (modality, body part) is in the event only.
    /// Nothing is stored: the event is the record. Requirements: caller is an enabled Doctor.
    /// Emits ImageShared.
    function shareImage(address receiver, bytes calldata cid, bytes32 imageHash, string calldata description)
        external
        onlyRole(UserType.Doctor)
    {
        if (receiver == address(0)) revert ZeroAddress();
        if (cid.length == 0) revert MissingData("cid");
        if (imageHash == bytes32(0)) revert MissingData("sha256");
        emit ImageShared(keccak256(cid), msg.sender, receiver, cid, imageHash, description);
    }

    /// @notice Asks the patient for access to their images, giving the OpenPGP public key
    /// (binary) the copies are to be encrypted for. Anyone but the patient may ask; again
    /// after a denial or a revocation, not while a request is pending or approved.
    /// Emits AccessRequested.
    function requestAccess(bytes calldata publicKey, string calldata notes) external {
        if (msg.sender == patient()) revert SelfRequest();
        if (publicKey.length == 0) revert MissingData("publicKey");
        Access status = _access[msg.sender];
        if (status == Access.Requested || status == Access.Approved) revert InvalidAccess(msg.sender, status);
        _access[msg.sender] = Access.Requested;
        emit AccessRequested(msg.sender, publicKey, notes);
    }

    /// @notice Approves `requester`'s request (or adds images to an approval): for each image,
    /// the CID of the copy re-encrypted for the requester's key and the original's SHA-256.
    /// Requirements: caller is the patient; the requester's access is Requested or Approved.
    /// Emits AccessApproved once per image.
    function approveAccess(address requester, bytes[] calldata cids, bytes32[] calldata hashes)
        external
        onlyRole(UserType.Patient)
    {
        if (requester == msg.sender) revert SelfRequest();
        if (cids.length == 0 || cids.length != hashes.length) revert MissingData("cids");
        Access status = _access[requester];
        if (status != Access.Requested && status != Access.Approved) revert InvalidAccess(requester, status);
        if (status != Access.Approved) _access[requester] = Access.Approved;
        for (uint256 i = 0; i < cids.length; ++i) {
            emit AccessApproved(requester, keccak256(cids[i]), cids[i], hashes[i]);
        }
    }

    /// @notice Denies `requester`'s pending request, with a reason. Requirements: caller is
    /// the patient; a request is pending. Emits AccessDenied.
    function denyAccess(address requester, string calldata reason) external onlyRole(UserType.Patient) {
        Access status = _access[requester];
        if (status != Access.Requested) revert InvalidAccess(requester, status);
        _access[requester] = Access.Denied;
        emit AccessDenied(requester, reason);
    }

    /// @notice Revokes `requester`'s approved access. Requirements: caller is the patient;
    /// access is approved. Emits AccessRevoked.
    function revokeAccess(address requester) external onlyRole(UserType.Patient) {
        Access status = _access[requester];
        if (status != Access.Approved) revert InvalidAccess(requester, status);
        _access[requester] = Access.Revoked;
        emit AccessRevoked(requester);
    }

    /// @notice Whether `requester` is authorised, recorded on chain as authorization success or
    /// failure (anyone may trace; `accessOf` reads the same without a transaction).
    /// Emits AccessTraced.
    function traceAccess(address requester) external returns (bool authorized) {
        authorized = _access[requester] == Access.Approved;
        emit AccessTraced(requester, msg.sender, authorized);
    }

    /// @notice `requester`'s access: 0 none, 1 requested, 2 approved, 3 denied, 4 revoked.
    function accessOf(address requester) external view returns (Access) {
        return _access[requester];
    }

    /// @notice Sets the patient's birthday, YYYYMMDD. Requirements: caller is an enabled Host.
    function setBirthday(string calldata birthday) external onlyRole(UserType.Host) {
        uint32 date = strlib.parseDate(birthday);
        _profile.birthday = date;
        emit BirthdaySet(date, msg.sender);
    }

    /// @notice Sets the patient's contact. Requirements: caller is an enabled Host.
    function setContact(string calldata contact) external onlyRole(UserType.Host) {
        _profile.contact = contact;
        emit ContactSet(contact, msg.sender);
    }

    /// @notice The patient page: name, patient account, age, gender, blood type, birthday
    /// (YYYYMMDD or ""), contact.
    function profile()
        external
        view
        returns (string memory, address, uint8, Gender, BloodType, string memory, string memory)
    {
        Profile storage p = _profile;
        return (p.name, p.patient, p.age, p.gender, p.bloodType, strlib.formatDate(p.birthday), p.contact);
    }

    /// @notice `account`'s permission: name, role, enabled, and the role it lost if removed.
    function getPermission(address account) external view returns (string memory, UserType, bool, UserType) {
        User storage u = _users[account];
        return (u.name, u.role, u.enabled, u.removed);
    }
}
