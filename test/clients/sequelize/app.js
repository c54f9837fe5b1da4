// A Sequelize application against tables enabled with softdelete, written
// as Sequelize users write it.  Users and Tasks are plain models
// (paranoid: false) on enabled tables: destroy() is a DELETE, which becomes
// a soft delete of "deletedAt", and findAll({ include }) writes its own LEFT
// OUTER JOIN (the seed's outer-join trap: the filter belongs in ON).  Notes
// keeps paranoid: true on a table softdelete does not enable, Sequelize
// doing its own soft delete there: an application switches over table by
// table.  Comments keeps paranoid: true on an enabled table: Sequelize's own
// UPDATE of "deletedAt" and its own filter keep working there too.
//
//     node app.js host port user database
'use strict';
const assert = require('assert');
const { Sequelize, DataTypes, Op } = require('sequelize');

const [host, port, user, database] = process.argv.slice(2);
const sequelize = new Sequelize(database, user, null, {
  host, port: Number(port), dialect: 'postgres', logging: false,
});

const User = sequelize.define('User', {
  name: DataTypes.STRING,
  deletedAt: DataTypes.DATE,
}, { paranoid: false });
const Task = sequelize.define('Task', {
  title: DataTypes.STRING,
  deletedAt: DataTypes.DATE,
}, { paranoid: false });
const Note = sequelize.define('Note', { text: DataTypes.STRING }, { paranoid: true });
const Comment = sequelize.define('Comment', { text: DataTypes.STRING }, { paranoid: true });
User.hasMany(Task, { onDelete: 'CASCADE' });
Task.belongsTo(User);
// Sequelize's associations make ON DELETE SET NULL keys by default, which a
// restore could not undo (enable refuses them: below); these say what they
// mean instead
User.hasMany(Note, { constraints: false });
Note.belongsTo(User, { constraints: false });
User.hasMany(Comment, { onDelete: 'CASCADE' });
Comment.belongsTo(User, { onDelete: 'CASCADE' });
const Post = sequelize.define('Post', { title: DataTypes.STRING, deletedAt: DataTypes.DATE });
const Like = sequelize.define('Like', { deletedAt: DataTypes.DATE });
Post.hasMany(Like);
Like.belongsTo(Post);

async function main() {
  await sequelize.sync({ force: true });
  const [ann, bob, cy] = await User.bulkCreate([{ name: 'ann' }, { name: 'bob' }, { name: 'cy' }]);
  await Task.bulkCreate([
    { title: 't1', UserId: ann.id }, { title: 't2', UserId: ann.id },
    { title: 't3', UserId: bob.id }, { title: 't4', UserId: cy.id },
  ]);
  await Note.bulkCreate([{ text: 'n1', UserId: ann.id }, { text: 'n2', UserId: bob.id }]);
  await Comment.bulkCreate([{ text: 'c1', UserId: ann.id }, { text: 'c2', UserId: bob.id }]);
  // the one change to the application
  await sequelize.query(`SELECT softdelete.enable('"Tasks"', 'deletedAt'),
                                softdelete.enable('"Users"', 'deletedAt'),
                                softdelete.enable('"Comments"', 'deletedAt')`);

  // a default association: enable refuses the SET NULL key, with a hint
  await sequelize.query(`SELECT softdelete.enable('"Likes"', 'deletedAt')`);
  await assert.rejects(sequelize.query(`SELECT softdelete.enable('"Posts"', 'deletedAt')`),
    (e) => e.parent.code === '55000' && /ON DELETE SET NULL/.test(e.message));

  // destroy(): a DELETE, a soft delete; the database's ON DELETE CASCADE
  // soft-deletes bob's tasks with him
  await bob.destroy();
  await Task.destroy({ where: { title: 't4' } });
  assert.deepStrictEqual((await User.findAll({ order: ['id'] })).map(u => u.name), ['ann', 'cy']);
  assert.deepStrictEqual((await Task.findAll({ order: ['id'] })).map(t => t.title), ['t1', 't2']);
  assert.strictEqual(await User.findByPk(bob.id), null);

  // findAll({ include }): Sequelize's LEFT OUTER JOIN; cy keeps its row with
  // no tasks (its only task is deleted), bob is gone
  const users = await User.findAll({ include: Task, order: [['id'], [Task, 'id']] });
  assert.deepStrictEqual(users.map(u => [u.name, u.Tasks.map(t => t.title)]),
    [['ann', ['t1', 't2']], ['cy', []]]);
  const tasks = await Task.findAll({ include: User, order: [['id']] });
  assert.deepStrictEqual(tasks.map(t => [t.title, t.User.name]), [['t1', 'ann'], ['t2', 'ann']]);
  const counts = await User.findAll({
    attributes: ['name', [sequelize.fn('count', sequelize.col('Tasks.id')), 'n']],
    include: [{ model: Task, attributes: [] }], group: ['User.id'], order: [['id']], raw: true,
  });
  assert.deepStrictEqual(counts.map(c => [c.name, Number(c.n)]), [['ann', 2], ['cy', 0]]);

  // paranoid: true on a table softdelete does not enable: Sequelize's own
  // soft delete, its own filter, its own restore, beside ours
  await Note.destroy({ where: { text: 'n1' } });
  assert.deepStrictEqual((await Note.findAll()).map(n => n.text), ['n2']);
  assert.strictEqual((await Note.findAll({ paranoid: false })).length, 2);
  // a join from an enabled table to it: bob's note has no live user
  const notes = await Note.findAll({ include: User, order: ['id'] });
  assert.deepStrictEqual(notes.map(n => [n.text, n.User && n.User.name]), [['n2', null]]);
  await Note.restore({ where: { text: 'n1' } });
  assert.strictEqual((await Note.findAll()).length, 2);

  // paranoid: true on an enabled table: Sequelize writes "deletedAt" itself
  // (an UPDATE) and filters it itself; softdelete agrees on both
  assert.deepStrictEqual((await Comment.findAll()).map(c => c.text), ['c1']);  // c2 went with bob
  await Comment.destroy({ where: { text: 'c1' } });
  assert.deepStrictEqual((await Comment.findAll()).map(c => c.text), []);
  // paranoid: false asks Sequelize for deleted rows; softdelete still hides
  // them unless the session shows them (README, Coming from an ORM)
  assert.strictEqual((await Comment.findAll({ paranoid: false })).length, 0);
  await sequelize.transaction(async (t) => {
    await sequelize.query("SET LOCAL softdelete.include_deleted = on", { transaction: t });
    assert.strictEqual((await Comment.findAll({ paranoid: false, transaction: t })).length, 2);
    assert.strictEqual((await User.findAll({ transaction: t })).length, 3);
    await sequelize.query("SET LOCAL softdelete.include_deleted = 'only'", { transaction: t });
    assert.deepStrictEqual((await User.findAll({ transaction: t })).map(u => u.name), ['bob']);
  });
  // Sequelize's restore() of a paranoid model on an enabled table: its
  // UPDATE cannot see the deleted row; softdelete.restore does it
  await Comment.restore({ where: { text: 'c1' } });
  assert.strictEqual((await Comment.findAll()).length, 0);
  await sequelize.query(`SELECT softdelete.restore('"Comments"', $$text = 'c1'$$)`);
  assert.deepStrictEqual((await Comment.findAll()).map(c => c.text), ['c1']);

  // restore brings bob and his tasks back (one transaction, one stamp)
  await sequelize.query(`SELECT softdelete.restore('"Users"', 'id = ${bob.id}')`);
  assert.deepStrictEqual((await Task.findAll({ where: { UserId: bob.id } })).map(t => t.title), ['t3']);
  assert.strictEqual(await User.count(), 3);
  assert.deepStrictEqual((await Comment.findAll({ order: ['id'] })).map(c => c.text), ['c1', 'c2']);
  await sequelize.close();
  console.log('sequelize: destroy, findAll with include (LEFT OUTER JOIN), paranoid: true beside and on enabled tables, restore');
}

main().catch((e) => { console.error(e); process.exit(1); });
